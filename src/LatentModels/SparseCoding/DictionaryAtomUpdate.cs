using LatentModels.LinearAlgebra;
using LatentModels.Randomness;

namespace LatentModels.SparseCoding;

/// <summary>
/// The dictionary step of dictionary learning: one pass of block coordinate descent over the atoms on the statistics
/// A = Σ zzᵀ (K × K) and Bᵀ = Σ zxᵀ (K × d). Atom k moves to the minimiser of the quadratic in it with the others fixed,
/// dₖ ← dₖ + (bₖ − Σₗ Aₖₗ dₗ) / Aₖₖ, then onto the unit ball (dₖ / max(‖dₖ‖, 1); the Hessian Aₖₖ·I is isotropic, so this
/// is the exact constrained minimiser and the cost never rises). An atom with Aₖₖ ≤ 10⁻⁶ (almost never used) is
/// handed to the caller to be re-seeded (or kept when there is no data to draw from).
/// </summary>
internal static class DictionaryAtomUpdate
{
    /// <summary>The usage below which an atom counts as unused (as SPAMS and scikit-learn).</summary>
    public const double UnusedThreshold = 1e-6;

    /// <summary>One pass over the atoms in order; returns the number of atoms re-seeded.</summary>
    /// <param name="atoms">K × d, row-major; updated in place.</param>
    /// <param name="a">A, K × K.</param>
    /// <param name="bt">Bᵀ, K × d.</param>
    /// <param name="k">K.</param>
    /// <param name="d">d.</param>
    /// <param name="scratch">d values.</param>
    /// <param name="reseed">Writes a new atom k into the atoms (null: unused atoms stay as they are).</param>
    public static int Pass(double[] atoms, ReadOnlySpan<double> a, ReadOnlySpan<double> bt, int k, int d, double[] scratch, Action<int>? reseed)
    {
        int reseeded = 0;
        for (int j = 0; j < k; j++)
        {
            double ajj = a[j * k + j];
            Span<double> atom = atoms.AsSpan(j * d, d);
            if (ajj > UnusedThreshold)
            {
                bt.Slice(j * d, d).CopyTo(scratch);
                for (int l = 0; l < k; l++)
                {
                    double ajl = a[j * k + l];
                    if (ajl != 0)
                    {
                        RowReductions.AddScaled(ref scratch[0], ref atoms[l * d], -ajl, d);
                    }
                }

                RowReductions.AddScaled(ref atom[0], ref scratch[0], 1.0 / ajj, d);
            }
            else if (reseed is not null)
            {
                reseed(j);
                reseeded++;
            }

            double norm = Math.Sqrt(RowReductions.Dot(atom, atom));
            if (norm == 0 && reseed is not null)
            {
                reseed(j);
                reseeded++;
                norm = Math.Sqrt(RowReductions.Dot(atom, atom));
            }

            if (norm > 1)
            {
                double inverse = 1.0 / norm;
                for (int p = 0; p < d; p++)
                {
                    atom[p] *= inverse;
                }
            }
        }

        return reseeded;
    }

    /// <summary>
    /// Writes a row of the data plus N(0, (0.01·σ)²) noise (σ the row's standard deviation, or 1 for a constant row) as
    /// atom <paramref name="atom"/>: scikit-learn's re-seeding of an unused atom, from the caller's generator.
    /// </summary>
    public static void ReseedFromRow(double[] atoms, int atom, int d, ReadOnlySpan<double> row, Random random)
    {
        double mean = 0;
        foreach (double v in row)
        {
            mean += v;
        }

        mean /= d;
        double variance = 0;
        foreach (double v in row)
        {
            variance += (v - mean) * (v - mean);
        }

        double sigma = Math.Sqrt(variance / d);
        double level = 0.01 * (sigma > 0 ? sigma : 1);
        Span<double> target = atoms.AsSpan(atom * d, d);
        for (int p = 0; p < d; p++)
        {
            target[p] = row[p] + level * StandardNormal.Next(random);
        }
    }
}
