import Foundation

/// One solved example shown to the model before the window to diagnose.
public struct FewShotExample: Sendable, Hashable, Codable {
    /// A stable id, recorded with each diagnosis that used the example.
    public var id: String
    /// The example's log lines, in the same masked form as the window lines.
    public var lines: [String]
    /// The worked reasoning that leads from the lines to the label.
    public var reasoning: String
    /// The id (or code as text) of the example's label in the label set.
    public var labelID: String

    public init(id: String, lines: [String], reasoning: String, labelID: String) {
        self.id = id
        self.lines = lines
        self.reasoning = reasoning
        self.labelID = labelID
    }
}
