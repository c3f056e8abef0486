using LatentModels;

namespace Vae;

/// <summary>Reports each epoch synchronously on the training thread (System.Progress would post to the thread pool).</summary>
internal sealed class Progress(Action<FitProgress> report) : IProgress<FitProgress>
{
    public void Report(FitProgress value) => report(value);
}
