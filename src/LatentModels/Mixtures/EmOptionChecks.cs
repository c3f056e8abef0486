namespace LatentModels.Mixtures;

/// <summary>
/// The option checks every EM estimator shares (<see cref="GaussianMixtureOptions"/>, <see cref="MixtureOptions"/>,
/// <see cref="IncrementalGaussianMixtureOptions"/>); each throws <see cref="ArgumentOutOfRangeException"/> naming the option.
/// </summary>
internal static class EmOptionChecks
{
    /// <summary>Between 1 and the number of rows components.</summary>
    public static void Components(int components, int rows, string paramName)
    {
        if (components < 1)
        {
            throw new ArgumentOutOfRangeException(paramName, components, "There must be at least one component.");
        }

        if (components > rows)
        {
            throw new ArgumentOutOfRangeException(paramName, components, $"There are more components ({components}) than rows ({rows}).");
        }
    }

    /// <summary>A known initialisation.</summary>
    public static void Init<TInit>(TInit init, string paramName) where TInit : struct, Enum
    {
        if (!Enum.IsDefined(init))
        {
            throw new ArgumentOutOfRangeException(paramName, init, "Unknown initialisation.");
        }
    }

    /// <summary>A non-negative iteration cap (zero returns the start).</summary>
    public static void MaxIterations(int maxIterations, string paramName)
    {
        if (maxIterations < 0)
        {
            throw new ArgumentOutOfRangeException(paramName, maxIterations, "The iteration cap must be non-negative (0 returns the start).");
        }
    }

    /// <summary>A finite non-negative stopping tolerance.</summary>
    public static void Tolerance(double tolerance, string paramName)
    {
        if (!(tolerance >= 0) || double.IsPositiveInfinity(tolerance))
        {
            throw new ArgumentOutOfRangeException(paramName, tolerance, "The tolerance must be finite and non-negative.");
        }
    }

    /// <summary>At least one start.</summary>
    public static void Starts(int starts, string paramName)
    {
        if (starts < 1)
        {
            throw new ArgumentOutOfRangeException(paramName, starts, "At least one start is needed.");
        }
    }
}
