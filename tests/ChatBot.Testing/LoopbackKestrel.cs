using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace ChatBot.Testing;

/// <summary>
/// Where the loopback fakes of Slack and Discord listen: Kestrel on 127.0.0.1, port 0, sending in segments of at most
/// <see cref="SegmentBytes"/>, the size of a real network's.
/// <para>
/// Why the segment size: loopback's MSS is about 64 KB. When a fake writes faster than the client reads (a burst of
/// 200 dispatches), the kernel queues the unsent bytes as one segment of that size; once the client's receive window
/// is open but smaller than it (60 KB), Linux sends nothing until its zero-window probe, about 200 ms later, and
/// every command in flight waits (seen in bench/ChatBot.Peers.Bench: 2 rounds in 120 with a loaded p99 of 240–280 ms,
/// the fake's socket in its persist timer with 148 KB unsent and a 61,440-byte window). Slack and Discord send over
/// real networks (MSS about 1.4 KB), where any open window takes a segment. The client's segment size to the fake is
/// the same, as the fake announces it.
/// </para>
/// </summary>
public static class LoopbackKestrel
{
    /// <summary>The largest TCP segment the fake sends or receives: 1,448 bytes (Ethernet's MTU less IP and TCP headers with timestamps).</summary>
    public const int SegmentBytes = 1448;

    private const int IpProtocolTcp = 6;
    private const int TcpMaxSegment = 2; // TCP_MAXSEG in <netinet/tcp.h> (Linux)

    /// <summary>Listens on <c>http://127.0.0.1:0</c> with the segment size of a real network (on Linux; elsewhere the system's).</summary>
    public static IWebHostBuilder UseLoopback(this IWebHostBuilder webHost) => webHost
        .UseUrls("http://127.0.0.1:0")
        .UseSockets(options => options.CreateBoundListenSocket = endpoint =>
        {
            var socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
            if (OperatingSystem.IsLinux() && socket.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            {
                // Set before listen: accepted connections take it from the listening socket.
                socket.SetRawSocketOption(IpProtocolTcp, TcpMaxSegment, BitConverter.GetBytes(SegmentBytes));
            }

            return socket;
        });
}
