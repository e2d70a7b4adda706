using System.Diagnostics;
using ChatBot.Core.Telemetry;
using Hangfire.Client;
using Hangfire.Common;
using Hangfire.Server;

namespace ChatBot.Scheduling;

/// <summary>
/// One span per Hangfire job run (<see cref="ChatBotTelemetry.Scheduling"/>), linked to the span that started
/// the break: the slot job for a scheduled break, the command for <c>/drill rotation</c>. The origin's W3C
/// <c>traceparent</c> travels as a job parameter and is handed on to every job the run schedules, so all the
/// jobs of one break link to the same origin however long the chain.
/// </summary>
internal sealed class JobTracingFilter : JobFilterAttribute, IClientFilter, IServerFilter
{
    private const string OriginParameter = "chatbot.origin";
    private const string ActivityItem = "chatbot.activity";
    private static int registered;

    /// <summary>Adds the filter to Hangfire's global filters once per process (they are static).</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref registered, 1) == 0)
        {
            Hangfire.GlobalJobFilters.Filters.Add(new JobTracingFilter());
        }
    }

    public void OnCreating(CreatingContext context)
    {
        if (Origin(Activity.Current) is { } origin)
        {
            context.SetJobParameter(OriginParameter, origin);
        }
    }

    public void OnCreated(CreatedContext context)
    {
    }

    public void OnPerforming(PerformingContext context)
    {
        var origin = context.GetJobParameter<string>(OriginParameter);
        ActivityLink[]? links = ActivityContext.TryParse(origin, null, out var originContext) ? [new ActivityLink(originContext)] : null;
        var job = context.BackgroundJob.Job;
        var activity = ChatBotTelemetry.Scheduling.StartActivity(
            ActivityKind.Consumer,
            parentContext: default,
            tags: null,
            links: links,
            name: "job " + job.Type.Name);
        if (activity is null)
        {
            return;
        }

        activity.SetTag("chatbot.job.id", context.BackgroundJob.Id);
        activity.SetCustomProperty(OriginParameter, origin ?? activity.Id);
        context.Items[ActivityItem] = activity;
    }

    public void OnPerformed(PerformedContext context)
    {
        if (context.Items.TryGetValue(ActivityItem, out var item) && item is Activity activity)
        {
            if (context.Exception is { } exception && !context.ExceptionHandled)
            {
                activity.Failed(exception.InnerException ?? exception);
            }

            activity.Dispose();
        }
    }

    /// <summary>
    /// A span for one channel's share of a slot job, tagged with the channel: the jobs of that channel's break
    /// link to it (not to the slot job of all its channels), or to <paramref name="origin"/> (the W3C id of an
    /// earlier such span, for the "slot thread" span that goes on with the break's thread) when given. Null when
    /// nobody listens.
    /// </summary>
    public static Activity? StartSlotSpan(ChatBot.Core.ChannelKey channel, string? origin = null)
    {
        var activity = ChatBotTelemetry.Scheduling.StartActivity(origin is null ? "slot" : "slot thread");
        if (activity is not null)
        {
            activity.SetTag("chatbot.channel", channel.ToString());
            activity.SetCustomProperty(OriginParameter, origin ?? activity.Id);
        }

        return activity;
    }

    /// <summary>The origin a job scheduled now links to: the origin of the job run we are in, else the current span.</summary>
    private static string? Origin(Activity? current)
    {
        for (var activity = current; activity is not null; activity = activity.Parent)
        {
            if (activity.GetCustomProperty(OriginParameter) is string origin)
            {
                return origin;
            }
        }

        return current?.Id;
    }
}
