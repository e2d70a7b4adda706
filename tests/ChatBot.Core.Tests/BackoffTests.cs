namespace ChatBot.Core.Tests;

public class BackoffTests
{
    private static readonly TimeSpan Initial = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(1, 0.5, 1)]
    [InlineData(2, 1, 2)]
    [InlineData(3, 2, 4)]
    [InlineData(6, 15, 30)]
    [InlineData(1000, 15, 30)]
    public void Delays_double_per_failure_up_to_the_cap_with_jitter_in_the_upper_half(int failures, double minSeconds, double maxSeconds)
    {
        var random = new Random(42);
        for (var i = 0; i < 200; i++)
        {
            var delay = Backoff.Exponential(failures, Initial, Max, random);
            delay.TotalSeconds.ShouldBeInRange(minSeconds, maxSeconds);
        }
    }

    [Fact]
    public void Jitter_spreads_clients_that_failed_together()
    {
        var random = new Random(7);
        var delays = Enumerable.Range(0, 50).Select(_ => Backoff.Exponential(4, Initial, Max, random)).Distinct().Count();
        delays.ShouldBeGreaterThan(40);
    }
}
