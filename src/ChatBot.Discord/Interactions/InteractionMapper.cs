using System.Globalization;
using System.Text;
using System.Text.Json;
using ChatBot.Core;
using ChatBot.Core.Commands;

namespace ChatBot.Discord.Interactions;

/// <summary>Discord interaction types the bot handles.</summary>
public enum InteractionType
{
    Ping = 1,
    ApplicationCommand = 2,
    MessageComponent = 3,
    Autocomplete = 4,
    ModalSubmit = 5,
}

/// <summary>The parts of an interaction the adapter needs, read once from its JSON.</summary>
/// <param name="CommandName">For application commands, the top-level command name.</param>
/// <param name="CommandText">For <c>/drill</c>: the subcommand path and option values joined with spaces.</param>
/// <param name="CustomId">For components: the button's custom id (untrusted).</param>
/// <param name="MessageId">For components: the message the button is on.</param>
public sealed record DiscordInteraction(
    string Id,
    string Token,
    string ApplicationId,
    InteractionType Type,
    ChannelKey? Channel,
    ChatUser? User,
    string? CommandName,
    string? CommandText,
    string? CustomId,
    string? MessageId);

/// <summary>
/// Pure mapping from Discord interaction JSON to Core's records. Never throws for bad input: it returns
/// false with a reason.
/// </summary>
public static class InteractionMapper
{
    // Member permission bits that make someone a schedule admin: Administrator, Manage Channels, Manage Server.
    private const ulong Administrator = 1UL << 3;
    private const ulong ManageChannels = 1UL << 4;
    private const ulong ManageGuild = 1UL << 5;

    // Option values are joined in the order Core reads them, whatever order the client sent them in.
    private static readonly string[] OptionOrder = ["period", "zone", "time", "days"];

    public static bool TryParse(JsonElement json, out DiscordInteraction interaction, out string error)
    {
        interaction = null!;
        error = string.Empty;
        try
        {
            if (json.ValueKind != JsonValueKind.Object)
            {
                error = "not a JSON object";
                return false;
            }

            var id = String(json, "id");
            var token = String(json, "token");
            var applicationId = String(json, "application_id");
            if (id is null || token is null || applicationId is null || !json.TryGetProperty("type", out var typeElement)
                || !typeElement.TryGetInt32(out var type))
            {
                error = "missing id, token, application_id or type";
                return false;
            }

            var channelId = String(json, "channel_id")
                ?? (json.TryGetProperty("channel", out var channel) ? String(channel, "id") : null);
            var user = MapUser(json);
            var guildId = String(json, "guild_id");
            ChannelKey? key = channelId is null
                ? null
                : new ChannelKey(ChatPlatform.Discord, guildId ?? "dm:" + (user?.Id ?? "unknown"), channelId);

            string? commandName = null;
            string? commandText = null;
            string? customId = null;
            string? messageId = null;
            json.TryGetProperty("data", out var data);
            switch ((InteractionType)type)
            {
                case InteractionType.ApplicationCommand:
                    commandName = data.ValueKind == JsonValueKind.Object ? String(data, "name") : null;
                    commandText = data.ValueKind == JsonValueKind.Object ? CommandText(data) : null;
                    break;
                case InteractionType.MessageComponent:
                    customId = data.ValueKind == JsonValueKind.Object ? String(data, "custom_id") : null;
                    messageId = json.TryGetProperty("message", out var message) ? String(message, "id") : null;
                    break;
                default:
                    break;
            }

            interaction = new DiscordInteraction(
                id, token, applicationId, (InteractionType)type, key, user, commandName, commandText, customId, messageId);
            return true;
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or OverflowException)
        {
            error = ex.Message;
            return false;
        }
    }

    /// <summary>The invoking user: <c>member.user</c> in guilds, <c>user</c> in DMs; admin from member permissions.</summary>
    public static ChatUser? MapUser(JsonElement json)
    {
        var member = json.TryGetProperty("member", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
        JsonElement user = default;
        if (member.ValueKind == JsonValueKind.Object && member.TryGetProperty("user", out var memberUser))
        {
            user = memberUser;
        }
        else if (json.TryGetProperty("user", out var dmUser))
        {
            user = dmUser;
        }

        if (user.ValueKind != JsonValueKind.Object || String(user, "id") is not { } userId)
        {
            return null;
        }

        var name = (member.ValueKind == JsonValueKind.Object ? String(member, "nick") : null)
            ?? String(user, "global_name")
            ?? String(user, "username")
            ?? userId;

        var isAdmin = false;
        if (member.ValueKind == JsonValueKind.Object && String(member, "permissions") is { } permissionText
            && ulong.TryParse(permissionText, NumberStyles.None, CultureInfo.InvariantCulture, out var permissions))
        {
            isAdmin = (permissions & (Administrator | ManageChannels | ManageGuild)) != 0;
        }

        // Discord has no user time zone: /drill tz sets one in Core.
        return new ChatUser(userId, name, TimeZoneId: null, IsAdmin: isAdmin);
    }

    /// <summary>
    /// Joins the subcommand path and option values: <c>/drill schedule add time:09:30 days:mon-fri</c> →
    /// <c>"schedule add 09:30 mon-fri"</c>; <c>/drill leaderboard period:week</c> → <c>"leaderboard week"</c>.
    /// </summary>
    public static string CommandText(JsonElement data)
    {
        var parts = new List<string>();
        AppendOptions(data, parts, depth: 0);
        return string.Join(' ', parts);
    }

    public static CommandInvocation? ToInvocation(DiscordInteraction interaction) =>
        interaction is { Channel: { } channel, User: { } user, CommandText: { } text }
            ? new CommandInvocation(channel, user, text)
            : null;

    public static ButtonClick? ToClick(DiscordInteraction interaction) =>
        interaction is { Channel: { } channel, User: { } user, CustomId: { } customId }
            ? new ButtonClick(channel, user, customId)
            : null;

    private static void AppendOptions(JsonElement container, List<string> parts, int depth)
    {
        if (depth > 3 || !container.TryGetProperty("options", out var options) || options.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        var values = new List<(int Rank, int Index, string Value)>();
        var index = 0;
        foreach (var option in options.EnumerateArray())
        {
            var type = option.TryGetProperty("type", out var t) && t.TryGetInt32(out var value) ? value : 0;
            var name = String(option, "name") ?? string.Empty;
            if (type is 1 or 2)
            {
                parts.Add(name);
                AppendOptions(option, parts, depth + 1);
                return;
            }

            if (option.TryGetProperty("value", out var optionValue) && Render(optionValue) is { Length: > 0 } text)
            {
                var rank = Array.IndexOf(OptionOrder, name);
                values.Add((rank < 0 ? OptionOrder.Length : rank, index++, text));
            }
        }

        parts.AddRange(values.OrderBy(v => v.Rank).ThenBy(v => v.Index).Select(v => v.Value));
    }

    private static string? Render(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => Collapse(value.GetString()!),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    private static string Collapse(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text.Trim())
        {
            builder.Append(char.IsWhiteSpace(c) ? ' ' : c);
        }

        return builder.ToString();
    }

    private static string? String(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
