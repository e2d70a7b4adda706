using System.Globalization;
using ChatBot.Core.Commands;
using ChatBot.Core.Drills;
using ChatBot.Core.Messages;

namespace ChatBot.Core.Breaks;

/// <summary>
/// The words of a break. Step 0 is the prompt (with the Done and snooze buttons); steps 1..n are the cues, posted into
/// the prompt's thread; the last step closes the thread.
/// </summary>
public static class BreakContent
{
    /// <summary>The prompt's second button: a DM reminder <see cref="Personal.SnoozeService.Delay"/> later.</summary>
    public const string SnoozeLabel = "Remind me in 10 min";

    public static int StepCount(Drill drill) => drill.Cues.Count + 2;

    public static OutgoingMessage Step(BreakRecord brk, Drill drill, int step) => step switch
    {
        0 => Prompt(brk, drill, doneCount: 0),
        _ when step <= drill.Cues.Count => Cue(drill, step),
        _ => new OutgoingMessage("That's the break. Tap **Done** on the prompt to count it toward your streak."),
    };

    public static OutgoingMessage Prompt(BreakRecord brk, Drill drill, int doneCount)
    {
        var lines = new List<string>
        {
            $"**Upper back break: {drill.Title}**",
            $"{drill.Trains} Needs: {drill.Equipment.TrimEnd('.')}. Dose: {drill.Dose.TrimEnd('.')}.",
            $"Follow the steps in the thread. {drill.Safety}",
        };
        if (doneCount > 0)
        {
            lines.Add(doneCount == 1 ? "✅ 1 person did it." : $"✅ {doneCount.ToString(CultureInfo.InvariantCulture)} people did it.");
        }

        return new OutgoingMessage(
            string.Join('\n', lines),
            [
                new MessageButton(ButtonAction.Done(brk.Id), "Done", ButtonStyle.Success),
                new MessageButton(ButtonAction.Snooze(brk.Id), SnoozeLabel),
            ]);
    }

    public static OutgoingMessage Cue(Drill drill, int step) =>
        new($"**{step.ToString(CultureInfo.InvariantCulture)}/{drill.Cues.Count.ToString(CultureInfo.InvariantCulture)}** {drill.Cues[step - 1]}");

    public static string ThreadTitle(Drill drill) => $"{drill.Title} break";

    /// <summary>The key a platform may use to make a retried post a no-op (Discord's nonce: at most 25 characters).</summary>
    public static string IdempotencyKey(long breakId, int step) =>
        string.Create(CultureInfo.InvariantCulture, $"b{breakId}s{step}");
}
