using System.Buffers.Binary;

namespace ChatBot.Scheduling.Tests.Tz;

/// <summary>
/// A zone's offset history read straight from its compiled tz database file (RFC 8536 TZif, the 64-bit block of
/// version 2+), not through <see cref="TimeZoneInfo"/>: the independent reference the daylight-saving sweep
/// checks the scheduler against. Enough for years covered by explicit transitions (Debian ships "fat" files,
/// with transitions listed up to 2037).
/// </summary>
internal sealed class TzifZone
{
    private readonly long[] _transitions; // UTC, seconds since the Unix epoch
    private readonly int[] _offsetAfter;  // seconds east of UTC from each transition on
    private readonly int _offsetBefore;

    private TzifZone(string id, long[] transitions, int[] offsetAfter, int offsetBefore, int[] allOffsets)
    {
        Id = id;
        _transitions = transitions;
        _offsetAfter = offsetAfter;
        _offsetBefore = offsetBefore;
        AllOffsets = allOffsets;
    }

    public const string Directory = "/usr/share/zoneinfo";

    public string Id { get; }

    /// <summary>Every UTC offset the zone ever uses, in seconds.</summary>
    public IReadOnlyList<int> AllOffsets { get; }

    /// <summary>Canonical zone names (the tz database's <c>Z</c> lines, not its aliases).</summary>
    public static IEnumerable<string> ZoneIds() =>
        File.ReadLines(Path.Combine(Directory, "tzdata.zi"))
            .Where(line => line.StartsWith("Z ", StringComparison.Ordinal))
            .Select(line => line.Split(' ')[1]);

    public static TzifZone Load(string id)
    {
        var data = File.ReadAllBytes(Path.Combine(Directory, id));
        if (data.Length < 44 || data[0] != 'T' || data[1] != 'Z' || data[2] != 'i' || data[3] != 'f' || data[4] < '2')
        {
            throw new InvalidDataException($"{id}: not a TZif version 2+ file");
        }

        // Skip the 32-bit block, then read the 64-bit one.
        var (_, _, _, timeCount, typeCount, charCount, size) = Header(data, 0, timeBytes: 4, leapBytes: 8);
        var offset = 44 + size;
        (var isUtCount, var isStdCount, var leapCount, timeCount, typeCount, charCount, _) = Header(data, offset, timeBytes: 8, leapBytes: 12);
        _ = (isUtCount, isStdCount, leapCount, charCount);
        offset += 44;
        var transitions = new long[timeCount];
        for (var i = 0; i < timeCount; i++)
        {
            transitions[i] = BinaryPrimitives.ReadInt64BigEndian(data.AsSpan(offset + (8 * i)));
        }

        var typeIndexes = data.AsSpan(offset + (8 * timeCount), timeCount).ToArray();
        var typesAt = offset + (9 * timeCount);
        var utOffsets = new int[typeCount];
        for (var t = 0; t < typeCount; t++)
        {
            utOffsets[t] = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(typesAt + (6 * t)));
        }

        return new TzifZone(id, transitions, typeIndexes.Select(t => utOffsets[t]).ToArray(), utOffsets[0], utOffsets.Distinct().ToArray());
    }

    /// <summary>The zone's offset at <paramref name="utc"/>.</summary>
    public TimeSpan OffsetAt(DateTimeOffset utc)
    {
        var seconds = utc.ToUnixTimeSeconds();
        var index = Array.BinarySearch(_transitions, seconds);
        index = index >= 0 ? index : ~index - 1;
        return TimeSpan.FromSeconds(index < 0 ? _offsetBefore : _offsetAfter[index]);
    }

    /// <summary>The transitions in [from, to): their instant, and the offsets before and after.</summary>
    public IEnumerable<(DateTimeOffset At, TimeSpan Before, TimeSpan After)> Transitions(DateTimeOffset from, DateTimeOffset to)
    {
        for (var i = 0; i < _transitions.Length; i++)
        {
            var at = DateTimeOffset.FromUnixTimeSeconds(_transitions[i]);
            var before = TimeSpan.FromSeconds(i == 0 ? _offsetBefore : _offsetAfter[i - 1]);
            var after = TimeSpan.FromSeconds(_offsetAfter[i]);
            if (at >= from && at < to && before != after)
            {
                yield return (at, before, after);
            }
        }
    }

    private static (int IsUt, int IsStd, int Leap, int Time, int Type, int Char, int BlockSize) Header(byte[] data, int at, int timeBytes, int leapBytes)
    {
        int Count(int i) => BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(at + 20 + (4 * i)));
        var (isUt, isStd, leap, time, type, chars) = (Count(0), Count(1), Count(2), Count(3), Count(4), Count(5));
        var size = (time * timeBytes) + time + (type * 6) + chars + (leap * leapBytes) + isStd + isUt;
        return (isUt, isStd, leap, time, type, chars, size);
    }
}
