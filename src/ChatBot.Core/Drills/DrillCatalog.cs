namespace ChatBot.Core.Drills;

/// <summary>The validated drill catalogue: lookup by id or alias, and the channel rotation order.</summary>
public sealed class DrillCatalog
{
    private readonly Dictionary<string, Drill> _byName;

    public DrillCatalog(IReadOnlyList<Drill> drills, IReadOnlyList<string> rotation)
    {
        Drills = drills;
        _byName = new Dictionary<string, Drill>(StringComparer.OrdinalIgnoreCase);
        foreach (var drill in drills)
        {
            _byName[drill.Id] = drill;
            foreach (var alias in drill.Aliases)
            {
                _byName[alias] = drill;
            }
        }

        Rotation = rotation.Select(id => _byName[id]).ToList();
    }

    public IReadOnlyList<Drill> Drills { get; }

    /// <summary>The drills <c>/drill now</c> and scheduled breaks take in turn (extension, rotation, flexion).</summary>
    public IReadOnlyList<Drill> Rotation { get; }

    /// <summary>Every word that names a drill: ids and aliases.</summary>
    public IEnumerable<string> Names => _byName.Keys;

    public bool TryFind(string name, out Drill drill) => _byName.TryGetValue(name, out drill!);

    public Drill Get(string id) =>
        _byName.TryGetValue(id, out var drill) ? drill : throw new KeyNotFoundException($"No drill '{id}' in the catalogue.");

    /// <summary>
    /// The drill after <paramref name="lastDrillId"/> in the rotation. Never the same drill twice in a row;
    /// after a drill outside the rotation (the warm-up covers all three) or none, the rotation starts over.
    /// </summary>
    public Drill NextInRotation(string? lastDrillId)
    {
        var index = -1;
        for (var i = 0; i < Rotation.Count; i++)
        {
            if (string.Equals(Rotation[i].Id, lastDrillId, StringComparison.OrdinalIgnoreCase))
            {
                index = i;
            }
        }

        return Rotation[(index + 1) % Rotation.Count];
    }
}
