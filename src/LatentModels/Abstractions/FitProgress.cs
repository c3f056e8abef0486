namespace LatentModels;

/// <summary>Progress of a long-running fit, reported through <see cref="IProgress{T}"/> once per iteration.</summary>
/// <param name="Start">Zero-based index of the current start (restart) when several starts are tried.</param>
/// <param name="Iteration">One-based iteration number within the current start.</param>
/// <param name="MaxIterations">The iteration cap of the fit.</param>
/// <param name="Objective">The objective after this iteration (inertia, mean log-likelihood, ELBO…).</param>
public readonly record struct FitProgress(int Start, int Iteration, int MaxIterations, double Objective);
