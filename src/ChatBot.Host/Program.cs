using ChatBot.Host;

var builder = ChatBotHost.CreateBuilder(args, Console.In, Console.Out);
return await ChatBotHost.RunAsync(builder.Build());
