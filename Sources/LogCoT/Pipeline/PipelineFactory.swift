import Foundation

/// Builds a pipeline from config: the masker, the state store and the TF-IDF model.
public struct PipelineFactory {
    public let config: LogCoTConfig
    public let logger: Logger

    public init(config: LogCoTConfig, logger: Logger) {
        self.config = config
        self.logger = logger
    }

    /// The key used when `masking.secret` is unset. Pseudonyms made with it can be reversed by anyone
    /// who guesses the original values, so the daemon warns when it is in use.
    static let builtinSecret = "logcot-builtin-masking-key"

    public func makeMasker() throws -> Masker {
        if config.masking.secret == nil {
            logger.warning("masking.secret is not set, so pseudonyms use a built-in key that anyone can reproduce; set masking.secret to a private value")
        }
        return try Masker(
            secret: config.masking.secret ?? Self.builtinSecret,
            kinds: config.masking.kinds,
            serialPatterns: config.masking.serialPatterns
        )
    }

    /// Loads the model from the state store, or trains a new one from the configured pool.
    public func makeModel(store: ModelStore?, masker: Masker) throws -> TFIDFModel {
        if let stored = try store?.load() {
            logger.info("TF-IDF model loaded", ["revision": String(stored.revision), "documents": String(stored.documentCount), "state": config.state.path])
            return stored
        }

        let pool = try loadPool()
        let model = TFIDFModel()
        for example in pool.examples {
            // Pool lines may come from a source that was not masked, so they are masked like live lines.
            let template = example.lines.map { TemplateMiner.template(of: masker.mask($0, host: nil)) }
            var counts: [String: Int] = [:]
            for line in template {
                for term in TermExtractor.terms(of: line) {
                    counts[term, default: 0] += 1
                }
            }
            model.addExample(label: example.label, termCounts: counts)
        }
        logger.info("TF-IDF model trained from the example pool", ["pool": pool.version, "examples": String(pool.examples.count)])
        return model
    }

    public func loadPool() throws -> ExamplePool {
        guard let path = config.filtering.poolFile else {
            return BuiltinPool.pool
        }
        return try ExamplePool.load(from: URL(fileURLWithPath: path), labels: config.labels)
    }

    public func makeStateStore() throws -> ModelStore {
        try ModelStore(database: SQLiteDatabase(path: config.state.path))
    }

    public func make(sink: any ReportSink, rejects: RejectsWriter?, diagnoser: any Diagnoser, ticketsGiven: Bool, maxConcurrentDiagnoses: Int = 1) throws -> Pipeline {
        let store = try makeStateStore()
        let masker = try makeMasker()
        let triggersEnabled = config.faults.triggers == "on" || (config.faults.triggers == "auto" && !ticketsGiven)
        return Pipeline(
            config: config,
            masker: masker,
            model: try makeModel(store: store, masker: masker),
            modelStore: store,
            diagnoser: diagnoser,
            sink: sink,
            rejects: rejects,
            triggersEnabled: triggersEnabled,
            maxConcurrentDiagnoses: maxConcurrentDiagnoses,
            logger: logger
        )
    }
}
