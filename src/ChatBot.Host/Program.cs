using ChatBot.Host;

if (args is [HealthCheckCommand.Argument])
{
    return await HealthCheckCommand.RunAsync();
}

var builder = ChatBotHost.CreateBuilder(args, Console.In, Console.Out);
return await ChatBotHost.RunAsync(builder.Build());
