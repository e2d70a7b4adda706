using ChatBot.Core;
using ChatBot.Core.Messages;

namespace ChatBot.Host.ConsoleChat;

/// <summary>
/// The console chat's screen: one writer shared by replies and posts from break threads, so lines never
/// interleave mid-message. Posts in a thread are drawn indented under their prompt.
/// </summary>
internal sealed class ConsoleTranscript(TextReader input, TextWriter output)
{
    public static readonly ChannelKey Channel = new(ChatPlatform.Console, "console", "console");

    private readonly Lock _gate = new();
    private readonly TimeZoneInfo _zone = TimeZoneInfo.Local;
    // The word that taps each button on screen (the latest button with that word wins) and where it was shown.
    private readonly Dictionary<string, (string ActionId, ChannelKey Channel)> _buttons = new(StringComparer.OrdinalIgnoreCase);

    public TextReader Input { get; } = input;

    public bool Interactive { get; init; }

    /// <summary>Where files posted with messages (digest charts) are saved: <c>data/digests/</c> by default.</summary>
    public string FileDirectory { get; init; } = Path.GetFullPath(Path.Combine("data", "digests"));

    /// <summary>
    /// The button that typing <paramref name="word"/> taps (<see cref="Core.Commands.ButtonAction.ConsoleWord"/>: its label,
    /// or <c>snooze</c>), the latest one shown with that word, and the conversation it was shown in.
    /// </summary>
    public bool TryGetButton(string word, out string actionId, out ChannelKey channel)
    {
        lock (_gate)
        {
            var found = _buttons.TryGetValue(word.Trim(), out var button);
            (actionId, channel) = found ? button : ("", Channel);
            return found;
        }
    }

    /// <param name="channel">The conversation the message is in (the channel, or a DM), for its buttons.</param>
    public void Write(OutgoingMessage message, string author, bool inThread, ChannelKey? channel = null)
    {
        var indent = inThread ? "    │ " : "";
        lock (_gate)
        {
            var lines = Render(message.Text).Split('\n');
            output.WriteLine($"{indent}{author}: {lines[0]}");
            foreach (var line in lines.Skip(1))
            {
                output.WriteLine($"{indent}{new string(' ', author.Length + 2)}{line}");
            }

            if (message.File is { } file)
            {
                output.WriteLine($"{indent}{new string(' ', author.Length + 2)}📊 chart saved to {Save(file)}");
            }

            foreach (var button in message.Buttons)
            {
                var word = Core.Commands.ButtonAction.ConsoleWord(button);
                _buttons[word] = (button.ActionId, channel ?? Channel);
                output.WriteLine($"{indent}  [ {button.Label} ]  type \"{word}\" to tap it");
            }

            output.Flush();
        }
    }

    public void Note(string text)
    {
        lock (_gate)
        {
            output.WriteLine(text);
            output.Flush();
        }
    }

    /// <summary>Saves a posted file under <see cref="FileDirectory"/> (its own name, never a path) and returns the full path.</summary>
    private string Save(MessageFile file)
    {
        Directory.CreateDirectory(FileDirectory);
        var path = Path.Combine(FileDirectory, Path.GetFileName(file.FileName));
        File.WriteAllBytes(path, file.Content.ToArray());
        return path;
    }

    private string Render(string markup) =>
        string.Concat(Markup.Tokenize(markup).Select(token => token.Kind switch
        {
            MarkupKind.Time => Markup.FormatTime(token.Time!.Value, _zone),
            MarkupKind.Code => token.Text,
            _ => token.Text,
        }));
}
