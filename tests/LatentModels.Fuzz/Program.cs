using LatentModels.Fuzz;
using SharpFuzz;

// The SharpFuzz harness. Usage (see docs/reliability.md, "Fuzzing"):
//   dotnet LatentModels.Fuzz.dll <target>                  (model, csv, csv-chunks, idx-images, idx-labels, data-file, csv-shard, parquet)
//                                                          under afl-fuzz (AFL++), reading inputs from stdin
//   dotnet LatentModels.Fuzz.dll <target> --replay <path>  without a fuzzer: each file (or the files of a folder) once
// A documented exception is a normal outcome; any other exception escapes and is reported by the fuzzer as a crash.
string[] targets = [.. FuzzTargets.All, ShardFuzzTargets.CsvShard];
if (args.Length == 0 || !targets.Contains(args[0]))
{
    Console.Error.WriteLine($"usage: LatentModels.Fuzz <{string.Join("|", targets)}> [--replay <file or folder>]");
    return 2;
}

string target = args[0];
Action<byte[]> run = target == ShardFuzzTargets.CsvShard ? ShardFuzzTargets.Run : input => FuzzTargets.Run(target, input);
Func<Exception, bool> documented = target == ShardFuzzTargets.CsvShard ? ShardFuzzTargets.IsDocumented : e => FuzzTargets.IsDocumented(target, e);
if (args.Length == 3 && args[1] == "--replay")
{
    string[] files = Directory.Exists(args[2]) ? Directory.GetFiles(args[2]).Order(StringComparer.Ordinal).ToArray() : [args[2]];
    int findings = 0;
    foreach (string file in files)
    {
        try
        {
            run(File.ReadAllBytes(file));
            Console.WriteLine($"ok         {file}");
        }
        catch (Exception e) when (documented(e))
        {
            Console.WriteLine($"rejected   {file}: {e.Message}");
        }
        catch (Exception e)
        {
            findings++;
            Console.WriteLine($"FINDING    {file}: {e}");
        }
    }

    return findings == 0 ? 0 : 1;
}

Fuzzer.Run(stream =>
{
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    try
    {
        run(copy.ToArray());
    }
    catch (Exception e) when (documented(e))
    {
    }
});
return 0;
