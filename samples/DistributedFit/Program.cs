// Distributed fits on a local Orleans cluster (Orleans' in-process cluster: N silos in this process), each next to the
// same fit on one machine.
//
//   dotnet run -c Release --project samples/DistributedFit -- --silos 3 --shards 12 [--kill-silo-after-iteration I] [--json]
//       K-Means, a full-covariance GMM and a VB-GMM, distributed and local; with --kill-silo-after-iteration a secondary
//       silo that hosts shards is killed (no graceful stop) after that iteration of the first fit that reaches it.
//   dotnet run -c Release --project samples/DistributedFit -- --benchmark --silos 3 --shards 64 [--rows-per-shard 256]
//       [--dimension 8] [--clusters 8] [--iterations 5]
//       the cost of a round with many shards: where the time goes (the shards' E-steps and transport, or the driver's
//       parsing, merging and update) and the bytes of statistics per iteration (docs/scale-out.md).
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LatentModels.Clustering;
using LatentModels.Mixtures;
using LatentModels.Orleans;
using LatentModels.Variational;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.TestingHost;

var arguments = Arguments.Parse(args);
int silos = arguments.Int("--silos", 3), shards = arguments.Int("--shards", 12);
bool json = arguments.Flag("--json"), benchmark = arguments.Flag("--benchmark");
int killAfter = arguments.Int("--kill-silo-after-iteration", 0);
int rowsPerShard = arguments.Int("--rows-per-shard", benchmark ? 256 : 1024);
int d = arguments.Int("--dimension", benchmark ? 8 : 4), k = arguments.Int("--clusters", benchmark ? 8 : 4);
int benchmarkIterations = arguments.Int("--iterations", 5);
if (silos < 1 || shards < 1 || rowsPerShard < 1 || d < 1 || k < 1 || (killAfter > 0 && silos < 2))
{
    Console.Error.WriteLine("usage: --silos N (≥ 1; ≥ 2 to kill one) --shards S --rows-per-shard R --dimension d --clusters K [--kill-silo-after-iteration I] [--json] [--benchmark]");
    return 2;
}

var builder = new InProcessTestClusterBuilder((short)silos);
builder.Options.ConfigureFileLogging = false;
builder.ConfigureSilo((_, silo) => silo.Services.Configure<ClusterMembershipOptions>(o =>
{
    // Declare a dead silo dead within seconds (production clusters keep the defaults: see docs/scale-out.md).
    o.ProbeTimeout = TimeSpan.FromMilliseconds(500);
    o.NumMissedProbesLimit = 2;
    o.NumVotesForDeathDeclaration = 1;
    o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
}));
builder.ConfigureClient(client => client.Services.Configure<MessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10)));
await using InProcessTestCluster cluster = builder.Build();
await cluster.DeployAsync();

int n = shards * rowsPerShard;
double[,] data = Blobs(n, d, k, seed: 1);
ShardSource[] sources = Enumerable.Range(0, shards).Select(s => (ShardSource)new RowsShardSource(Slice(data, s * rowsPerShard, (s + 1) * rowsPerShard), name: $"shard {s}")).ToArray();
var options = new DistributedFitOptions { ShardTimeout = TimeSpan.FromSeconds(10), RetryDelay = TimeSpan.FromMilliseconds(250), MaxRetriesPerShard = 40 };
var driver = new DistributedFit(cluster.Client, sources, options);
double[,] startCenters = Slice(data, 0, k); // the first K rows: one from each blob

if (benchmark)
{
    var rows = new List<object>();
    await driver.FitKMeansAsync(new KMeansModel(startCenters), 1, tolerance: 0); // loads the shards: not part of the measurement
    var kmeans = await driver.FitKMeansAsync(new KMeansModel(startCenters), benchmarkIterations, tolerance: 0);
    rows.Add(Cost("kmeans", kmeans, (k * ((2 * d) + 2)) + 1)); // the cost model of docs/scale-out.md
    var gmmOptions = new GaussianMixtureOptions { Components = k, Covariance = CovarianceType.Full, MaxIterations = benchmarkIterations, Tolerance = 0 };
    var gmm = await driver.FitGaussianMixtureAsync(GmmStart(startCenters, k, d), gmmOptions);
    rows.Add(Cost("gmm-full", gmm, (k * (1 + d + (d * d))) + 1 + d + (d * d) + d + 4)); // + the worst row and its value
    Console.WriteLine(JsonSerializer.Serialize(new { shards, silos, rowsPerShard, dimension = d, clusters = k, models = rows }));
    return 0;

    object Cost<T>(string model, DistributedFitResult<T> r, int doublesPerShard) where T : class => new
    {
        model,
        rounds = r.Rounds,
        secondsPerRound = Round(r.Elapsed.TotalSeconds / r.Rounds),
        shardWaitSecondsPerRound = Round(r.ShardWaitTime.TotalSeconds / r.Rounds),
        driverSecondsPerRound = Round(r.DriverTime.TotalSeconds / r.Rounds),
        driverShare = Round(r.DriverTime.TotalSeconds / r.Elapsed.TotalSeconds),
        statisticsBytesPerRound = r.StatisticsBytes / r.Rounds,
        statisticsDoublesPerRound = (long)shards * doublesPerShard,
        distinctSilosUsed = r.Silos.Count,
    };
}

// --kill-silo-after-iteration: one kill, from the progress callback of the first fit that reaches the iteration.
string? killed = null;
var progress = new SyncProgress(p =>
{
    if (killAfter <= 0 || killed is not null || p.Iteration != killAfter)
    {
        return;
    }

    InProcessSiloHandle? victim = cluster.Silos.Skip(1).FirstOrDefault(s => p.ShardSilos.Contains(s.SiloAddress.ToString()));
    if (victim is not null)
    {
        killed = victim.SiloAddress.ToString();
        cluster.KillSiloAsync(victim).GetAwaiter().GetResult();
    }
});

var fits = new List<Dictionary<string, object>>();

// Every start is computed in the cluster, with one machine's draws: the local fits take the same options and seed.

// K-Means (Lloyd) to its fixed point from its k-means++ start: the options of the local fit, start included.
{
    var o = new KMeansOptions { Clusters = k, Seed = 1, MaxIterations = 300, Tolerance = 0 };
    var clock = Stopwatch.StartNew();
    var distributed = await driver.FitKMeansAsync(o, progress);
    double seconds = clock.Elapsed.TotalSeconds;
    var local = new KMeans(o).Fit(data);
    fits.Add(Row("kmeans", distributed, seconds, MaxAbsDiff(Flat(distributed.Model.Centers), Flat(local.Model.Centers)), local.Report.Iterations));
}

// Gaussian mixture with full covariances, maximum likelihood, scikit-learn's stopping rule, from its default start
// (K-Means in the cluster, then one M-step from its labels).
{
    var o = new GaussianMixtureOptions { Components = k, Covariance = CovarianceType.Full, MaxIterations = 200, Tolerance = 1e-6, Seed = 1 };
    var clock = Stopwatch.StartNew();
    var distributed = await driver.FitGaussianMixtureAsync(o, progress);
    double seconds = clock.Elapsed.TotalSeconds;
    var local = new GaussianMixture(o).Fit(data);
    fits.Add(Row("gmm-full", distributed, seconds, MaxAbsDiff(Flat(distributed.Model), Flat(local.Model)), local.Report.Iterations));
}

// Variational Bayesian Gaussian mixture from its default start (K-Means in the cluster).
{
    var o = new VariationalGaussianMixtureOptions { Components = k, Covariance = CovarianceType.Full, MaxIterations = 200, Tolerance = 1e-6, Seed = 2 };
    var clock = Stopwatch.StartNew();
    var distributed = await driver.FitVariationalGaussianMixtureAsync(o, progress);
    double seconds = clock.Elapsed.TotalSeconds;
    var local = new VariationalGaussianMixture(o).Fit(data);
    fits.Add(Row("vb-gmm", distributed, seconds, MaxAbsDiff(Flat(distributed.Model), Flat(local.Model)), local.Report.Iterations));
}

if (json)
{
    Console.WriteLine(JsonSerializer.Serialize(new { fits, killedSilo = killed }));
}
else
{
    Console.WriteLine($"{shards} shards of {rowsPerShard} rows (d = {d}, K = {k}) on {silos} silos{(killed is null ? "" : $"; killed {killed}")}");
    foreach (var f in fits)
    {
        Console.WriteLine(string.Join("  ", f.Select(p => $"{p.Key} {Convert.ToString(p.Value, CultureInfo.InvariantCulture)}")));
    }
}

return 0;

static Dictionary<string, object> Row<T>(string model, DistributedFitResult<T> r, double seconds, double diff, int localIterations) where T : class => new()
{
    ["model"] = model,
    ["iterations"] = r.Iterations,
    ["localIterations"] = localIterations,
    ["maxAbsDiffFromLocal"] = diff,
    ["distinctSilosUsed"] = r.Silos.Count,
    ["retries"] = r.Retries,
    ["reloads"] = r.Reloads,
    ["seconds"] = Round(seconds),
};

static double Round(double value) => Math.Round(value, 6);

static GaussianMixtureModel GmmStart(double[,] centers, int k, int d)
{
    var covariances = new double[k * d * d];
    for (int c = 0; c < k; c++)
    {
        for (int j = 0; j < d; j++)
        {
            covariances[c * d * d + j * d + j] = 1;
        }
    }

    return GaussianMixtureModel.Create(CovarianceType.Full, Enumerable.Repeat(1.0 / k, k).ToArray(), centers, covariances);
}

static IEnumerable<double> Flat(object model) => model switch
{
    double[,] m => m.Cast<double>(),
    GaussianMixtureModel g => [.. g.Weights, .. g.Means.Cast<double>(), .. g.CovarianceParameters],
    VariationalGaussianMixtureModel v => [.. v.Weights, .. v.Means.Cast<double>(), .. v.CovarianceParameters],
    _ => throw new ArgumentException("unknown model", nameof(model)),
};

static double MaxAbsDiff(IEnumerable<double> a, IEnumerable<double> b) => a.Zip(b, (p, q) => Math.Abs(p - q)).Max();

static double[,] Slice(double[,] x, int from, int to)
{
    int width = x.GetLength(1);
    var rows = new double[to - from, width];
    for (int i = from; i < to; i++)
    {
        for (int j = 0; j < width; j++)
        {
            rows[i - from, j] = x[i, j];
        }
    }

    return rows;
}

// K Gaussian blobs in d dimensions (unit spread, centers 2.5 apart along rotating axes: overlapping, so the fits take a while), row i from blob i mod K.
static double[,] Blobs(int n, int d, int k, int seed)
{
    var random = new Random(seed);
    var x = new double[n, d];
    for (int i = 0; i < n; i++)
    {
        int c = i % k;
        for (int j = 0; j < d; j++)
        {
            double center = (j == c % d ? 2.5 * (1 + c / d) : 0.0) + 10;
            x[i, j] = center + Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        }
    }

    return x;
}

/// <summary>A progress sink that acts on the reporting thread, between the driver's iterations.</summary>
internal sealed class SyncProgress(Action<DistributedFitProgress> action) : IProgress<DistributedFitProgress>
{
    public void Report(DistributedFitProgress value) => action(value);
}

/// <summary>The command line: <c>--name value</c> pairs and bare flags.</summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string?> _values = [];

    public static Arguments Parse(string[] args)
    {
        var result = new Arguments();
        for (int i = 0; i < args.Length; i++)
        {
            bool hasValue = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
            result._values[args[i]] = hasValue ? args[++i] : null;
        }

        return result;
    }

    public bool Flag(string name) => _values.ContainsKey(name);

    public int Int(string name, int fallback) =>
        _values.TryGetValue(name, out string? v) && v is not null ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
}
