using ChatBot.Host;

return await ChatBotHost.RunAsync(args, Console.In, Console.Out, Console.Error);
