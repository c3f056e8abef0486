using LatentModels.Fuzz;
using SharpFuzz;

// The SharpFuzz harness. Usage (see docs/reliability.md, "Fuzzing"):
//   dotnet LatentModels.Fuzz.dll <target>                  under afl-fuzz (AFL++), reading inputs from stdin
//   dotnet LatentModels.Fuzz.dll <target> --replay <path>  without a fuzzer: each file (or the files of a folder) once
// A documented exception is a normal outcome; any other exception escapes and is reported by the fuzzer as a crash.
if (args.Length == 0 || !FuzzTargets.All.Contains(args[0]))
{
    Console.Error.WriteLine($"usage: LatentModels.Fuzz <{string.Join("|", FuzzTargets.All)}> [--replay <file or folder>]");
    return 2;
}

string target = args[0];
if (args.Length == 3 && args[1] == "--replay")
{
    string[] files = Directory.Exists(args[2]) ? Directory.GetFiles(args[2]).Order(StringComparer.Ordinal).ToArray() : [args[2]];
    int findings = 0;
    foreach (string file in files)
    {
        try
        {
            FuzzTargets.Run(target, File.ReadAllBytes(file));
            Console.WriteLine($"ok         {file}");
        }
        catch (Exception e) when (FuzzTargets.IsDocumented(target, e))
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
        FuzzTargets.Run(target, copy.ToArray());
    }
    catch (Exception e) when (FuzzTargets.IsDocumented(target, e))
    {
    }
});
return 0;
