namespace ChatBot.Core.Drills;

/// <summary>
/// One drill (or routine) of the catalogue. A routine's <see cref="Cues"/> are its parts' cues in order,
/// each part introduced by its title, so every drill is coached the same way.
/// </summary>
public sealed record Drill(
    string Id,
    IReadOnlyList<string> Aliases,
    string Title,
    string Summary,
    string Trains,
    string Equipment,
    string Dose,
    IReadOnlyList<string> Cues,
    string Safety);
