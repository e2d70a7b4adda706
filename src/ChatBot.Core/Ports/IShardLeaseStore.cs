namespace ChatBot.Core.Ports;

/// <summary>
/// Leases on Discord Gateway shards shared by the instances on one database, so each shard runs on exactly one
/// instance and a dead instance's shards are taken over. An instance is a member while it renews (every
/// <c>renew interval</c>, well inside the lease); its leases and membership lapse <c>lease</c> after its last renewal.
/// </summary>
public interface IShardLeaseStore
{
    /// <summary>
    /// Renews this instance's membership and its leases for <paramref name="lease"/>; with <paramref name="claim"/>,
    /// also balances: gives up the highest shards beyond its fair share <c>ceil(shardCount / members alive)</c> and
    /// claims free or expired ones up to it. Serialised across instances, so two never claim one shard.
    /// </summary>
    /// <param name="shardCount">The bot's total shards (leases on ids at or above it are dropped).</param>
    /// <param name="lease">How long a lease and the membership last without renewal.</param>
    /// <param name="claim">False on the first call: only join, so instances starting together see each other first.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The shard ids this instance holds now, ascending.</returns>
    /// <exception cref="System.Data.Common.DbException">The database could not be reached or failed.</exception>
    Task<IReadOnlyList<int>> RenewAsync(int shardCount, TimeSpan lease, bool claim, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the IDENTIFY slot of rate-limit bucket <paramref name="bucket"/> (<c>shard_id % max_concurrency</c>) for
    /// all instances if it is free, holding it for <paramref name="window"/> (Discord: one IDENTIFY per bucket per 5 s).
    /// </summary>
    /// <returns><see cref="TimeSpan.Zero"/> when taken, else how long until the slot is free.</returns>
    /// <exception cref="System.Data.Common.DbException">The database could not be reached or failed.</exception>
    Task<TimeSpan> TryTakeIdentifySlotAsync(int bucket, TimeSpan window, CancellationToken cancellationToken);

    /// <summary>Gives up this instance's leases and membership at a clean stop, so others take the shards at once.</summary>
    /// <exception cref="System.Data.Common.DbException">The database could not be reached or failed.</exception>
    Task ReleaseAsync(CancellationToken cancellationToken);
}
