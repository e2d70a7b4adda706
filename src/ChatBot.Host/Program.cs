using ChatBot.Host;

if (args is [HealthCheckCommand.Argument])
{
    return await HealthCheckCommand.RunAsync();
}

return await ChatBotHost.RunAsync(args, Console.In, Console.Out, Console.Error);
