using System.Net.Sockets;
using ChatBot.Discord.Tests.Fakes;
using Shouldly;
using Xunit;

namespace ChatBot.Discord.Tests;

/// <summary>
/// The loopback fakes send in a real network's segments (<see cref="LoopbackKestrel"/>): on loopback's ~64 KB segments
/// a burst could sit in the kernel ~200 ms behind a zero-window probe and stall every command of a bench round.
/// </summary>
public sealed class LoopbackFakeTests
{
    [Fact]
    public async Task A_connection_to_the_fake_uses_segments_no_bigger_than_a_real_networks()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "TCP_MAXSEG is read the Linux way");
        await using var fake = await FakeDiscord.StartAsync();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(fake.BaseUrl.Host, fake.BaseUrl.Port, TestContext.Current.CancellationToken);

        // TCP_MAXSEG (2) at IPPROTO_TCP (6): the segment size this connection settled on with the fake's announcement.
        var value = new byte[sizeof(int)];
        client.GetRawSocketOption(6, 2, value);
        BitConverter.ToInt32(value).ShouldBeInRange(1, LoopbackKestrel.SegmentBytes);
    }
}
