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
    public func makeModel(store: ModelStore?, masker: Masker, pool: ExamplePool) throws -> TFIDFModel {
        if let stored = try store?.load() {
            logger.info("TF-IDF model loaded", ["revision": String(stored.revision), "documents": String(stored.documentCount), "state": config.state.path])
            return stored
        }

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

    /// Builds the LLM diagnoser from `llm` config, or returns the TF-IDF one when the LLM is disabled.
    public func makeDiagnoser(pool: ExamplePool) throws -> any Diagnoser {
        guard config.llm.enabled else {
            return TFIDFDiagnoser()
        }
        let endpointMissing: Bool
        do {
            _ = try config.llm.client.resolveEndpoint(environment: ProcessInfo.processInfo.environment)
            endpointMissing = false
        } catch {
            endpointMissing = error == .missingBaseURL
        }
        if endpointMissing {
            logger.warning("no LLM endpoint is configured, so windows are labelled by the TF-IDF model alone; set llm.baseURL or OPENAI_BASE_URL, or llm.enabled to false to silence this")
            return TFIDFDiagnoser()
        }
        let client = try ChatClient(config: config.llm.client, logger: logger.child("llm"))
        let template = try config.llm.promptTemplate.map { try PromptTemplate.load(from: URL(fileURLWithPath: $0)) } ?? .builtin
        let dialogue = ChainOfThoughtDiagnoser(
            client: client,
            builder: PromptBuilder(template: template, labels: config.labels),
            constraint: config.llm.labelConstraint,
            logger: logger.child("llm"),
            promptLog: try config.llm.promptLog.map { try PromptLog(path: $0) }
        )
        logger.info("LLM diagnosis enabled", [
            "endpoint": client.endpoint.description,
            "model": config.llm.client.model,
            "label_constraint": config.llm.labelConstraint.rawValue,
            "prompt": template.version,
        ])
        return LLMDiagnoser(dialogue: dialogue, model: config.llm.client.model, poolVersion: pool.version, logger: logger.child("llm"))
    }

    /// Builds a pipeline on a fresh state store, with triggers on unless a ticket source is given.
    public func make(sink: any ReportSink, rejects: RejectsWriter?, diagnoser: (any Diagnoser)? = nil, ticketsGiven: Bool) throws -> Pipeline {
        let triggersEnabled = config.faults.triggers == "on" || (config.faults.triggers == "auto" && !ticketsGiven)
        return try makePipeline(modelStore: makeStateStore(), sink: sink, rejects: rejects, diagnoser: diagnoser, triggersEnabled: triggersEnabled)
    }

    /// Builds a pipeline whose model comes from `modelStore`; the diagnoser defaults to the one `llm` config selects.
    ///
    /// `whenQueueFull` is `.fallback` for live sources: up to `llm.maxQueuedWindows` windows wait
    /// for the LLM and later ones get TF-IDF labels at once. With `.wait`, at most
    /// `llm.maxConcurrentRequests` windows are diagnosed at once and the source waits for the rest.
    public func makePipeline(
        modelStore: ModelStore,
        sink: any ReportSink,
        rejects: RejectsWriter?,
        diagnoser: (any Diagnoser)? = nil,
        triggersEnabled: Bool,
        whenQueueFull: DiagnosisQueuePolicy.WhenFull = .wait
    ) throws -> Pipeline {
        let masker = try makeMasker()
        let pool = try loadPool()
        let diagnoser = try diagnoser ?? makeDiagnoser(pool: pool)
        let usesLLM = diagnoser is LLMDiagnoser
        let concurrency = usesLLM ? config.llm.client.maxConcurrentRequests : 1
        let policy = DiagnosisQueuePolicy(
            capacity: whenQueueFull == .fallback && usesLLM ? config.llm.maxQueuedWindows : concurrency,
            whenFull: whenQueueFull,
            rediagnose: usesLLM && config.llm.rediagnose,
            maxCheckpointWait: config.llm.maxCheckpointWait
        )
        Metrics.llm.queueCapacity.set(policy.capacity)
        return Pipeline(
            config: config,
            masker: masker,
            model: try makeModel(store: modelStore, masker: masker, pool: pool),
            modelStore: modelStore,
            diagnoser: diagnoser,
            sink: sink,
            rejects: rejects,
            triggersEnabled: triggersEnabled,
            maxConcurrentDiagnoses: concurrency,
            queuePolicy: policy,
            exampleSelector: usesLLM ? ExampleSelector(pool: pool, perClass: config.llm.examplesPerClass, maxExampleTokens: config.llm.maxExampleTokens, masker: masker) : nil,
            logger: logger
        )
    }
}
