import Foundation

/// The JSON body of a `POST /v1/chat/completions` request.
struct ChatCompletionRequestBody: Encodable {
    struct ResponseFormat: Encodable {
        struct JSONSchemaSpec: Encodable {
            var name: String
            var strict: Bool
            var schema: JSONValue
        }

        var type: String
        var jsonSchema: JSONSchemaSpec?

        enum CodingKeys: String, CodingKey {
            case type
            case jsonSchema = "json_schema"
        }
    }

    var model: String
    var messages: [ChatMessage]
    var temperature: Double
    var maxTokens: Int
    var seed: Int?
    var stream = false
    var responseFormat: ResponseFormat?
    var grammar: String?

    enum CodingKeys: String, CodingKey {
        case model
        case messages
        case temperature
        case maxTokens = "max_tokens"
        case seed
        case stream
        case responseFormat = "response_format"
        case grammar
    }

    init(model: String, messages: [ChatMessage], temperature: Double, maxTokens: Int, seed: Int?, constraint: ResponseConstraint) {
        self.model = model
        self.messages = messages
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.seed = seed
        switch constraint {
        case .none:
            break
        case .jsonSchema(let name, let schema, let strict):
            responseFormat = ResponseFormat(
                type: "json_schema",
                jsonSchema: .init(name: name, strict: strict, schema: schema)
            )
        case .grammar(let text):
            grammar = text
        }
    }
}

/// The parts of a chat completion response that the client reads.
struct ChatCompletionResponseBody: Decodable {
    struct Choice: Decodable {
        struct Message: Decodable {
            var content: String?
        }

        var message: Message?
        var finishReason: String?

        enum CodingKeys: String, CodingKey {
            case message
            case finishReason = "finish_reason"
        }
    }

    struct Usage: Decodable {
        var promptTokens: Int?
        var completionTokens: Int?

        enum CodingKeys: String, CodingKey {
            case promptTokens = "prompt_tokens"
            case completionTokens = "completion_tokens"
        }
    }

    var choices: [Choice]
    var usage: Usage?
}

/// Extracts the error message from the body of a non-2xx response.
///
/// OpenAI, llama-server and Ollama send `{"error": {"message": ...}}`. vLLM sends `{"message": ...}` at the
/// top level, and some proxies send `{"error": "text"}`. Other bodies are returned as text, cut to 500 characters.
func errorMessage(fromBody data: Data) -> String {
    if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
        if let error = object["error"] as? [String: Any], let message = error["message"] as? String {
            return message
        }
        if let error = object["error"] as? String {
            return error
        }
        if let message = object["message"] as? String {
            return message
        }
    }
    let text = String(decoding: data.prefix(500), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    return text.isEmpty ? "(empty body)" : text
}
