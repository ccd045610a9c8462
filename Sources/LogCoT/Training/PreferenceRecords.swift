import Foundation

/// The prompting mode of a candidate response.
public enum PromptingMode: String, Sendable, Codable {
    /// Few-shot examples are given, the label is not: the prompt the daemon sends.
    case exampleInduced = "example"
    /// Few-shot examples and the correct label are given, and the model explains it.
    case labelInduced = "label"
}

/// The grade of one candidate response.
public enum ResponseVerdict: String, Sendable, Codable {
    case good
    case bad
    /// The evaluator's answer had no score, so the response is in no pair.
    case unscored
}

/// One candidate response with its grade.
public struct PreferenceSample: Sendable, Codable, Equatable {
    public var model: String
    public var mode: PromptingMode
    public var reasoning: String
    /// Round 2's user message, which the pair repeats between reasoning and answer.
    public var answerCue: String
    public var answer: String
    /// The label id read from the answer, or nil.
    public var label: String?
    /// The evaluator's score from 1 to 10; nil when the label was wrong, so the evaluator was not asked.
    public var score: Int?
    public var verdict: ResponseVerdict
    /// The reason for the verdict, such as `wrong label memory` or `score 8`.
    public var reason: String

    enum CodingKeys: String, CodingKey {
        case model, mode, reasoning, answer, label, score, verdict, reason
        case answerCue = "answer_cue"
    }

    /// The response as chat messages: reasoning, the answer cue, and the answer.
    public var messages: [ChatMessage] {
        [.assistant(reasoning), .user(answerCue), .assistant(answer)]
    }
}

/// Everything `logcot prefs build` gathered for one window, stored as one line of the samples file.
/// A resumed build reads it to skip the window, and the pairs file is written from it.
public struct PreferenceWindowRecord: Sendable, Codable, Equatable {
    public var id: String
    /// The correct label id.
    public var label: String
    /// The example-induced round 1 messages: the prompt of every pair.
    public var prompt: [ChatMessage]
    public var samples: [PreferenceSample]
    public var evaluatorModel: String
    public var evaluatorPromptVersion: String

    enum CodingKeys: String, CodingKey {
        case id, label, prompt, samples
        case evaluatorModel = "evaluator_model"
        case evaluatorPromptVersion = "evaluator_prompt_version"
    }

    /// Returns the Cartesian product of good and bad samples, with the good one as chosen.
    public func pairs(labelCode: String) -> [PreferencePair] {
        let good = samples.filter { $0.verdict == .good }
        let bad = samples.filter { $0.verdict == .bad }
        var pairs: [PreferencePair] = []
        for chosen in good {
            for rejected in bad {
                pairs.append(PreferencePair(prompt: prompt, chosen: chosen.messages, rejected: rejected.messages, label: labelCode))
            }
        }
        return pairs
    }
}

/// One preference pair: a prompt and two continuations, the chosen one preferred over the rejected one.
public struct PreferencePair: Sendable, Equatable {
    public var prompt: [ChatMessage]
    public var chosen: [ChatMessage]
    public var rejected: [ChatMessage]
    /// The correct label's code as text, such as `2`, when known. The authors' format stores it.
    public var label: String?

    public init(prompt: [ChatMessage], chosen: [ChatMessage], rejected: [ChatMessage], label: String?) {
        self.prompt = prompt
        self.chosen = chosen
        self.rejected = rejected
        self.label = label
    }
}
