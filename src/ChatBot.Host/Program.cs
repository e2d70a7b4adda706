using ChatBot.Core;
using ChatBot.Data;
using ChatBot.Host;
using ChatBot.Host.ConsoleChat;
using Microsoft.Extensions.Hosting;

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args });
ChatBotConfiguration.Apply(builder.Configuration, builder.Environment.EnvironmentName, args);

builder.Services.AddChatBotCore(Path.Combine(ChatBotConfiguration.ConfigDirectory, "drills.json"));
builder.Services.AddChatBotData();

if (ChatBotConfiguration.ConsoleChatWanted(builder.Configuration))
{
    builder.AddConsoleChat(Console.In, Console.Out);
}

return await ChatBotHost.RunAsync(builder.Build());
