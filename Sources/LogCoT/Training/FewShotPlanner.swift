import Foundation

/// Chooses the few-shot examples of offline prompts the way the daemon does, so that preference pairs are
/// built on the prompts the tuned model will see.
///
/// It masks the pool and the windows with the config's masker and trains a TF-IDF model on the pool, as the
/// daemon does without saved state. Each window counts as a document. `ExampleSelector` then picks the
/// `llm.examplesPerClass` nearest examples per class, trimmed to `llm.maxExampleTokens`. A window that is
/// also in the pool never gets itself as an example.
///
/// NOTE: a running daemon's TF-IDF model has also learnt from every window it has seen, so its choice can
/// differ from this one for the same window.
public enum FewShotPlanner {
    /// Returns the examples for each window id.
    public static func examples(for windows: [WindowRecord], pool: ExamplePool, config: LogCoTConfig, logger: Logger) throws -> [String: [PoolExample]] {
        let factory = PipelineFactory(config: config, logger: logger)
        let masker = try factory.makeMasker()
        let model = try factory.makeModel(store: nil, masker: masker, pool: pool)
        let selector = ExampleSelector(pool: pool, perClass: config.llm.examplesPerClass, maxExampleTokens: config.llm.maxExampleTokens, masker: masker)

        let counts = windows.map { termCounts($0.lines, masker: masker) }
        for windowCounts in counts {
            model.addDocument(windowCounts)
        }

        var examples: [String: [PoolExample]] = [:]
        for (window, windowCounts) in zip(windows, counts) {
            let chosen = selector.select(for: model.vector(windowCounts), labels: config.labels, model: model)
            examples[window.id] = chosen.filter { $0.id != window.id }
        }
        return examples
    }

    static func termCounts(_ lines: [String], masker: Masker) -> [String: Int] {
        var counts: [String: Int] = [:]
        for line in lines {
            for term in TermExtractor.terms(of: TemplateMiner.template(of: masker.mask(line, host: nil))) {
                counts[term, default: 0] += 1
            }
        }
        return counts
    }
}
