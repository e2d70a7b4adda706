using System.Text.Json;
using ChatBot.Core;
using ChatBot.Core.Commands;

namespace ChatBot.Slack;

/// <summary>A <c>/drill</c> slash command as Slack sent it (Socket Mode JSON or HTTP form, same keys).</summary>
/// <param name="TeamId">
/// The scope of channels and streaks (<see cref="SlackPayloadMapper.TeamKey"/>): the Enterprise Grid org id
/// (<c>enterprise_id</c>) when there is one, else the workspace id (<c>team_id</c>).
/// </param>
public sealed record SlackSlashCommand(
    string TeamId,
    string ChannelId,
    string UserId,
    string UserName,
    string Command,
    string Text,
    Uri? ResponseUrl);

/// <summary>One button tap from a <c>block_actions</c> payload.</summary>
/// <param name="MessageTs">The clicked message (<c>container.message_ts</c>), for <c>chat.update</c>.</param>
/// <param name="IsEphemeral">The clicked message was ephemeral: it cannot be updated with <c>chat.update</c>.</param>
/// <param name="TeamId">
/// The scope of channels and streaks (<see cref="SlackPayloadMapper.TeamKey"/>): the Enterprise Grid org id
/// (<c>enterprise.id</c>, else <c>team.enterprise_id</c>) when there is one, else the workspace id (<c>team.id</c>).
/// </param>
public sealed record SlackBlockAction(
    string TeamId,
    string ChannelId,
    string UserId,
    string UserName,
    string ActionId,
    string? MessageTs,
    string? ThreadTs,
    bool IsEphemeral,
    Uri? ResponseUrl);

/// <summary>
/// Pure functions from Slack's payloads to Core's records. Nothing here calls Slack; the caller passes what
/// <c>users.info</c> said (or null when it could not be asked) and the configured admin ids.
/// </summary>
public static class SlackPayloadMapper
{
    /// <summary>
    /// The team a Slack channel and a person's streak belong to: the Enterprise Grid org when the payload names
    /// one, else the workspace (design.md, "Streaks"). In a grid, channel and user ids are unique across the org
    /// and a channel can be shared by several of its workspaces, so a command from workspace T1 and a tap from
    /// workspace T2 in the same shared channel must land on the same key. Null when neither id is present.
    /// </summary>
    /// <remarks>
    /// Data stored while a workspace was not yet in a grid stays under its workspace id; after it joins one,
    /// the same people and channels are keyed by the org id (see the README's Slack section).
    /// </remarks>
    public static string? TeamKey(string? enterpriseId, string? teamId) =>
        !string.IsNullOrWhiteSpace(enterpriseId) ? enterpriseId : string.IsNullOrWhiteSpace(teamId) ? null : teamId;

    /// <summary>Reads a <c>slash_commands</c> payload; null (with the reason) when required fields are missing.</summary>
    public static SlackSlashCommand? ReadSlashCommand(JsonElement payload, out string? problem) =>
        ReadSlashCommand(name => SlackApiClient.GetString(payload, name), out problem);

    /// <summary>Reads an HTTP-mode slash command form.</summary>
    public static SlackSlashCommand? ReadSlashCommand(IReadOnlyDictionary<string, string> form, out string? problem) =>
        ReadSlashCommand(name => form.TryGetValue(name, out var value) ? value : null, out problem);

    /// <summary>Reads the button taps of a <c>block_actions</c> payload; empty (with the reason) when it is not one we can use.</summary>
    public static IReadOnlyList<SlackBlockAction> ReadBlockActions(JsonElement payload, out string? problem)
    {
        problem = null;
        if (payload.ValueKind != JsonValueKind.Object)
        {
            problem = "payload is not an object";
            return [];
        }

        var type = SlackApiClient.GetString(payload, "type");
        if (type != "block_actions")
        {
            problem = $"interactive type '{type ?? "(none)"}' is not handled";
            return [];
        }

        var user = Child(payload, "user");
        var userId = SlackApiClient.GetString(user, "id");
        var team = Child(payload, "team");
        var teamId = TeamKey(
            SlackApiClient.GetString(Child(payload, "enterprise"), "id") ?? SlackApiClient.GetString(team, "enterprise_id"),
            SlackApiClient.GetString(team, "id") ?? SlackApiClient.GetString(user, "team_id"));
        var container = Child(payload, "container");
        var channelId = SlackApiClient.GetString(Child(payload, "channel"), "id") ?? SlackApiClient.GetString(container, "channel_id");
        if (string.IsNullOrEmpty(userId) || string.IsNullOrEmpty(teamId) || string.IsNullOrEmpty(channelId))
        {
            problem = "block_actions payload lacks user, team or channel";
            return [];
        }

        var message = Child(payload, "message");
        var messageTs = SlackApiClient.GetString(container, "message_ts") ?? SlackApiClient.GetString(message, "ts");
        var threadTs = SlackApiClient.GetString(container, "thread_ts") ?? SlackApiClient.GetString(message, "thread_ts");
        var isEphemeral = SlackApiClient.GetBool(container, "is_ephemeral");
        var userName = SlackApiClient.GetString(user, "name") ?? SlackApiClient.GetString(user, "username") ?? userId;
        var responseUrl = ParseResponseUrl(SlackApiClient.GetString(payload, "response_url"));

        var actions = new List<SlackBlockAction>();
        if (payload.TryGetProperty("actions", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var action in list.EnumerateArray())
            {
                var actionId = SlackApiClient.GetString(action, "action_id");
                if (string.IsNullOrEmpty(actionId) || SlackApiClient.GetString(action, "type") is { } kind && kind != "button")
                {
                    continue;
                }

                actions.Add(new SlackBlockAction(teamId, channelId, userId, userName, actionId, messageTs, threadTs, isEphemeral, responseUrl));
            }
        }

        if (actions.Count == 0)
        {
            problem = "block_actions payload has no button action";
        }

        return actions;
    }

    /// <summary>
    /// The caller as Core sees them: <c>users.info</c>'s name and zone when known; admin when Slack says
    /// workspace admin or owner, or when the id is listed in <c>Slack:Admins</c>.
    /// </summary>
    public static ChatUser ToChatUser(string userId, string fallbackName, SlackUserInfo? info, IEnumerable<string> admins) =>
        new(
            userId,
            string.IsNullOrWhiteSpace(info?.DisplayName) ? fallbackName : info.DisplayName,
            info?.TimeZoneId,
            info is { IsAdmin: true } or { IsOwner: true } || admins.Contains(userId, StringComparer.Ordinal));

    public static CommandInvocation ToInvocation(SlackSlashCommand command, SlackUserInfo? info, IEnumerable<string> admins) =>
        new(
            new ChannelKey(ChatPlatform.Slack, command.TeamId, command.ChannelId),
            ToChatUser(command.UserId, command.UserName, info, admins),
            command.Text.Trim());

    public static ButtonClick ToClick(SlackBlockAction action, SlackUserInfo? info, IEnumerable<string> admins) =>
        new(
            new ChannelKey(ChatPlatform.Slack, action.TeamId, action.ChannelId),
            ToChatUser(action.UserId, action.UserName, info, admins),
            action.ActionId);

    private static SlackSlashCommand? ReadSlashCommand(Func<string, string?> field, out string? problem)
    {
        var teamId = TeamKey(field("enterprise_id"), field("team_id"));
        var channelId = field("channel_id");
        var userId = field("user_id");
        var command = field("command");
        if (string.IsNullOrEmpty(teamId) || string.IsNullOrEmpty(channelId) || string.IsNullOrEmpty(userId) || string.IsNullOrEmpty(command))
        {
            problem = "slash command lacks team_id, channel_id, user_id or command";
            return null;
        }

        problem = null;
        return new SlackSlashCommand(
            teamId,
            channelId,
            userId,
            field("user_name") ?? userId,
            command,
            field("text") ?? "",
            ParseResponseUrl(field("response_url")));
    }

    private static Uri? ParseResponseUrl(string? text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) ? uri : null;

    private static JsonElement Child(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var child) && child.ValueKind == JsonValueKind.Object
            ? child
            : default;
}
