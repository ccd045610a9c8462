import Foundation

/// Persists the TF-IDF model in SQLite and reloads it on start.
///
/// Saving writes only the terms and classes changed since the last save, in one transaction.
public final class ModelStore {
    private let database: SQLiteDatabase

    public init(database: SQLiteDatabase) throws {
        self.database = database
        try database.execute("""
            CREATE TABLE IF NOT EXISTS tfidf_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS tfidf_document_frequency (term TEXT PRIMARY KEY, frequency INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS tfidf_class (label TEXT PRIMARY KEY, example_count INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS tfidf_class_term (label TEXT NOT NULL, term TEXT NOT NULL, weight_sum REAL NOT NULL,
                PRIMARY KEY (label, term));
            """)
    }

    /// Loads the stored model, or returns nil when none was saved.
    public func load() throws -> TFIDFModel? {
        var meta: [String: Int] = [:]
        try database.prepare("SELECT key, value FROM tfidf_meta").query { meta[$0.text(0)] = Int($0.int(1)) }
        guard let documentCount = meta["document_count"], let revision = meta["revision"] else {
            return nil
        }

        var frequencies: [String: Int] = [:]
        try database.prepare("SELECT term, frequency FROM tfidf_document_frequency").query {
            frequencies[$0.text(0)] = Int($0.int(1))
        }
        var classes: [String: TFIDFModel.ClassStatistics] = [:]
        try database.prepare("SELECT label, example_count FROM tfidf_class").query {
            classes[$0.text(0)] = TFIDFModel.ClassStatistics(exampleCount: Int($0.int(1)), termSums: [:])
        }
        try database.prepare("SELECT label, term, weight_sum FROM tfidf_class_term").query {
            classes[$0.text(0), default: TFIDFModel.ClassStatistics()].termSums[$0.text(1)] = $0.double(2)
        }
        return TFIDFModel(documentCount: documentCount, documentFrequency: frequencies, classes: classes, revision: revision)
    }

    /// Writes what changed since the previous save.
    public func save(_ model: TFIDFModel) throws {
        let (terms, classes) = model.takeDirtyTerms()
        try database.transaction {
            let meta = try database.prepare("INSERT INTO tfidf_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
            try meta.run([.text("document_count"), .integer(Int64(model.documentCount))])
            try meta.run([.text("revision"), .integer(Int64(model.revision))])

            let frequency = try database.prepare("INSERT INTO tfidf_document_frequency (term, frequency) VALUES (?, ?) ON CONFLICT(term) DO UPDATE SET frequency = excluded.frequency")
            for term in terms {
                try frequency.run([.text(term), .integer(Int64(model.documentFrequency[term] ?? 0))])
            }

            let classRow = try database.prepare("INSERT INTO tfidf_class (label, example_count) VALUES (?, ?) ON CONFLICT(label) DO UPDATE SET example_count = excluded.example_count")
            let deleteTerms = try database.prepare("DELETE FROM tfidf_class_term WHERE label = ?")
            let termRow = try database.prepare("INSERT INTO tfidf_class_term (label, term, weight_sum) VALUES (?, ?, ?)")
            for label in classes {
                guard let statistics = model.classes[label] else { continue }
                try classRow.run([.text(label), .integer(Int64(statistics.exampleCount))])
                try deleteTerms.run([.text(label)])
                for (term, sum) in statistics.termSums {
                    try termRow.run([.text(label), .text(term), .real(sum)])
                }
            }
        }
    }
}
