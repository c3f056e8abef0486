using LatentModels.SparseCoding;
using static LatentModels.Tests.SparseCoding.SparseCodingTestData;

namespace LatentModels.Tests.SparseCoding;

public class SparseCoderTests
{
    public static TheoryData<SparseCodingAlgorithm, bool> LassoSolvers() => new()
    {
        { SparseCodingAlgorithm.CoordinateDescent, false },
        { SparseCodingAlgorithm.Lars, false },
        { SparseCodingAlgorithm.Fista, false },
        { SparseCodingAlgorithm.CoordinateDescent, true },
        { SparseCodingAlgorithm.Lars, true },
        { SparseCodingAlgorithm.Fista, true },
    };

    private static SparseCoderOptions Options(SparseCodingAlgorithm algorithm, double alpha, bool positive = false) =>
        new() { Algorithm = algorithm, Alpha = alpha, Positive = positive, MaxIterations = 20000 };

    [Theory]
    [MemberData(nameof(LassoSolvers))]
    public void Codes_satisfy_the_lasso_optimality_conditions(SparseCodingAlgorithm algorithm, bool positive)
    {
        // Overcomplete (K = 24 > d = 12), atoms of unequal norms, signals of 3 atoms plus noise.
        double[,] dictionary = Dictionary(24, 12, seed: 1, unitNorm: false);
        double[,] x = Signals(dictionary, 40, 3, 0.05, seed: 2);
        const double Alpha = 0.15;
        double[,] z = new SparseCoder(dictionary, Options(algorithm, Alpha, positive)).Transform(x);
        int supportSize = 0;
        for (int i = 0; i < x.GetLength(0); i++)
        {
            double[] zi = Row(z, i);
            double[] q = ResidualCorrelations(dictionary, Row(x, i), zi);
            for (int a = 0; a < zi.Length; a++)
            {
                if (zi[a] != 0)
                {
                    supportSize++;
                    if (positive)
                    {
                        zi[a].Should().BePositive($"row {i}, atom {a}: non-negative codes");
                    }

                    q[a].Should().BeApproximately(Alpha * Math.Sign(zi[a]), 1e-9 * Alpha, $"row {i}, atom {a} is on the support");
                }
                else if (positive)
                {
                    q[a].Should().BeLessThanOrEqualTo(Alpha * (1 + 1e-9), $"row {i}, atom {a}");
                }
                else
                {
                    Math.Abs(q[a]).Should().BeLessThanOrEqualTo(Alpha * (1 + 1e-9), $"row {i}, atom {a}");
                }
            }
        }

        supportSize.Should().BeGreaterThan(40, "the codes are not trivially zero");
    }

    public static TheoryData<int, int, bool, bool> SmallProblems() => new()
    {
        { 6, 8, true, false },
        { 8, 5, false, false },
        { 7, 4, true, true },
        { 8, 6, false, true },
    };

    [Theory]
    [MemberData(nameof(SmallProblems))]
    public void All_solvers_agree_with_exhaustive_search(int atoms, int dimension, bool unitNorm, bool positive)
    {
        double[,] dictionary = Dictionary(atoms, dimension, seed: atoms * 10 + dimension, unitNorm);
        double[,] x = Signals(dictionary, 12, 2, 0.1, seed: atoms);
        const double Alpha = 0.1;
        var objectives = new Dictionary<SparseCodingAlgorithm, double[]>();
        foreach (SparseCodingAlgorithm algorithm in new[] { SparseCodingAlgorithm.CoordinateDescent, SparseCodingAlgorithm.Lars, SparseCodingAlgorithm.Fista })
        {
            var coder = new SparseCoder(dictionary, Options(algorithm, Alpha, positive));
            objectives[algorithm] = coder.Objectives(x, coder.Transform(x));
        }

        for (int i = 0; i < x.GetLength(0); i++)
        {
            double[] reference = BruteForceLasso(dictionary, Row(x, i), Alpha, positive);
            double best = Objective(dictionary, Row(x, i), reference, Alpha);
            foreach (var (algorithm, values) in objectives)
            {
                values[i].Should().BeApproximately(best, 1e-9 * best, $"{algorithm}, row {i}");
            }
        }
    }

    [Theory]
    [InlineData(0.02)]
    [InlineData(0.1)]
    [InlineData(0.4)]
    public void Lars_and_coordinate_descent_match_exhaustive_search_on_overcomplete_problems_across_penalties(double alpha)
    {
        // Eight atoms in four dimensions: paths with atoms leaving the active set (the lasso modification) are common.
        double[,] dictionary = Dictionary(8, 4, seed: 77, unitNorm: false);
        double[,] x = Signals(dictionary, 20, 3, 0.2, seed: 78);
        foreach (SparseCodingAlgorithm algorithm in new[] { SparseCodingAlgorithm.Lars, SparseCodingAlgorithm.CoordinateDescent })
        {
            var coder = new SparseCoder(dictionary, Options(algorithm, alpha));
            double[] objectives = coder.Objectives(x, coder.Transform(x));
            for (int i = 0; i < 20; i++)
            {
                double best = Objective(dictionary, Row(x, i), BruteForceLasso(dictionary, Row(x, i), alpha), alpha);
                objectives[i].Should().BeApproximately(best, 1e-9 * best, $"{algorithm}, row {i}");
            }
        }
    }

    [Fact]
    public void Solvers_agree_on_a_larger_problem_and_the_objective_matches_plain_loops()
    {
        double[,] dictionary = Dictionary(64, 32, seed: 5);
        double[,] x = Signals(dictionary, 300, 4, 0.05, seed: 6);
        double[] reference = [];
        foreach (SparseCodingAlgorithm algorithm in new[] { SparseCodingAlgorithm.Lars, SparseCodingAlgorithm.CoordinateDescent, SparseCodingAlgorithm.Fista })
        {
            var coder = new SparseCoder(dictionary, Options(algorithm, 0.1));
            double[,] z = coder.Transform(x);
            double[] objectives = coder.Objectives(x, z);
            for (int i = 0; i < 5; i++)
            {
                objectives[i].Should().BeApproximately(Objective(dictionary, Row(x, i), Row(z, i), 0.1), 1e-12);
            }

            if (reference.Length == 0)
            {
                reference = objectives;
                continue;
            }

            for (int i = 0; i < objectives.Length; i++)
            {
                objectives[i].Should().BeApproximately(reference[i], 1e-9 * reference[i], $"{algorithm}, row {i}");
            }
        }
    }

    [Fact]
    public void An_orthonormal_dictionary_gives_the_soft_threshold_of_the_correlations()
    {
        // D = a random rotation (rows orthonormal): the lasso decouples, z = S_α(D·x).
        double[,] dictionary = Orthonormal(6, seed: 3);
        double[,] x = Signals(dictionary, 20, 3, 0.3, seed: 4);
        foreach (SparseCodingAlgorithm algorithm in new[] { SparseCodingAlgorithm.CoordinateDescent, SparseCodingAlgorithm.Lars, SparseCodingAlgorithm.Fista })
        {
            foreach (bool positive in new[] { false, true })
            {
                double[,] z = new SparseCoder(dictionary, Options(algorithm, 0.2, positive)).Transform(x);
                for (int i = 0; i < 20; i++)
                {
                    for (int a = 0; a < 6; a++)
                    {
                        double c = Enumerable.Range(0, 6).Sum(j => dictionary[a, j] * x[i, j]);
                        double expected = positive ? Math.Max(c - 0.2, 0) : Math.Sign(c) * Math.Max(Math.Abs(c) - 0.2, 0);
                        z[i, a].Should().BeApproximately(expected, 1e-12, $"{algorithm}, positive {positive}, row {i}, atom {a}");
                    }
                }
            }
        }
    }

    [Fact]
    public void Omp_on_an_orthonormal_dictionary_is_the_best_subset_found_by_exhaustive_search()
    {
        double[,] dictionary = Orthonormal(7, seed: 8);
        double[,] x = Signals(dictionary, 15, 4, 0.2, seed: 9);
        for (int budget = 1; budget <= 3; budget++)
        {
            double[,] z = new SparseCoder(dictionary, new SparseCoderOptions { Algorithm = SparseCodingAlgorithm.OrthogonalMatchingPursuit, Nonzeros = budget, Alpha = 0 }).Transform(x);
            for (int i = 0; i < 15; i++)
            {
                double[] zi = Row(z, i);
                zi.Count(v => v != 0).Should().Be(budget);
                Objective(dictionary, Row(x, i), zi, 0).Should().BeApproximately(BestSubset(dictionary, Row(x, i), budget), 1e-12);
            }
        }
    }

    [Fact]
    public void Omp_codes_are_least_squares_on_the_greedy_support_and_recover_noiseless_sparse_signals()
    {
        // Incoherent atoms (K = 8, d = 20) and exactly 2-sparse signals: OMP finds the true atoms, which exhaustive
        // search confirms (zero residual); and the codes are the least-squares fit on the chosen atoms.
        double[,] dictionary = Dictionary(8, 20, seed: 11);
        double[,] x = Signals(dictionary, 20, 2, 0.0, seed: 12);
        double[,] z = new SparseCoder(dictionary, new SparseCoderOptions { Algorithm = SparseCodingAlgorithm.OrthogonalMatchingPursuit, Nonzeros = 2 }).Transform(x);
        for (int i = 0; i < 20; i++)
        {
            double[] zi = Row(z, i);
            int[] support = Enumerable.Range(0, 8).Where(a => zi[a] != 0).ToArray();
            double[] ls = LeastSquares(dictionary, Row(x, i), support)!;
            for (int t = 0; t < support.Length; t++)
            {
                zi[support[t]].Should().BeApproximately(ls[t], 1e-10);
            }

            double best = BestSubset(dictionary, Row(x, i), 2);
            best.Should().BeLessThan(1e-20);
            Objective(dictionary, Row(x, i), zi, 0).Should().BeApproximately(best, 1e-20);
        }
    }

    [Fact]
    public void Warm_starts_and_thread_counts_do_not_change_the_solution()
    {
        double[,] dictionary = Dictionary(40, 16, seed: 21);
        double[,] x = Signals(dictionary, 700, 3, 0.05, seed: 22);
        foreach (SparseCodingAlgorithm algorithm in Enum.GetValues<SparseCodingAlgorithm>())
        {
            var serial = new SparseCoder(dictionary, new SparseCoderOptions { Algorithm = algorithm, Alpha = 0.1, MaxDegreeOfParallelism = 1 });
            var parallel = new SparseCoder(dictionary, new SparseCoderOptions { Algorithm = algorithm, Alpha = 0.1, MaxDegreeOfParallelism = 3 });
            double[,] z1 = serial.Transform(x);
            parallel.Transform(x).Should().BeEquivalentTo(z1, o => o.WithStrictOrdering(), $"{algorithm}: same bits for any thread count");
            double[,] warm = serial.Transform(x, z1);
            double[] o1 = serial.Objectives(x, z1), o2 = serial.Objectives(x, warm);
            for (int i = 0; i < o1.Length; i++)
            {
                o2[i].Should().BeApproximately(o1[i], 1e-10 * o1[i], $"{algorithm}, row {i}");
            }
        }
    }

    [Fact]
    public void Reconstruct_is_the_product_of_codes_and_dictionary()
    {
        double[,] dictionary = Dictionary(9, 5, seed: 31, unitNorm: false);
        var codes = new double[3, 9];
        codes[0, 1] = 2;
        codes[1, 4] = -0.5;
        codes[1, 8] = 1.25;
        var coder = new SparseCoder(dictionary);
        double[,] r = coder.Reconstruct(codes);
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 5; j++)
            {
                r[i, j].Should().BeApproximately(Enumerable.Range(0, 9).Sum(a => codes[i, a] * dictionary[a, j]), 1e-14);
            }
        }

        r[2, 3].Should().Be(0);
        coder.Transform(new double[0, 5]).GetLength(0).Should().Be(0);
        coder.Objective(new double[0, 5], new double[0, 9]).Should().Be(0);
    }

    [Fact]
    public void A_large_penalty_gives_zero_codes()
    {
        double[,] dictionary = Dictionary(10, 6, seed: 41);
        double[,] x = Signals(dictionary, 8, 2, 0.1, seed: 42);
        double max = 0;
        for (int i = 0; i < 8; i++)
        {
            max = Math.Max(max, ResidualCorrelations(dictionary, Row(x, i), new double[10]).Max(Math.Abs));
        }

        foreach (SparseCodingAlgorithm algorithm in new[] { SparseCodingAlgorithm.CoordinateDescent, SparseCodingAlgorithm.Lars, SparseCodingAlgorithm.Fista })
        {
            double[,] z = new SparseCoder(dictionary, Options(algorithm, max * 1.0001)).Transform(x);
            z.Cast<double>().Should().OnlyContain(v => v == 0, algorithm.ToString());
        }
    }

    [Fact]
    public void Bad_input_is_rejected_naming_the_parameter_and_the_place_and_nothing_is_mutated()
    {
        double[,] dictionary = Dictionary(5, 3, seed: 51);
        double[,] dictionaryCopy = (double[,])dictionary.Clone();
        var coder = new SparseCoder(dictionary);

        var nan = new double[4, 3];
        nan[2, 1] = double.NaN;
        Invoking(() => coder.Transform(nan)).Should().Throw<ArgumentException>().Where(e => e.ParamName == "data" && e.Message.Contains("row 2, column 1"));
        Invoking(() => coder.Transform(new double[4, 2])).Should().Throw<ArgumentException>().Where(e => e.ParamName == "data" && e.Message.Contains("2 columns"));
        Invoking(() => coder.Transform(new double[4, 3], new double[3, 5])).Should().Throw<ArgumentException>().Where(e => e.ParamName == "initialCodes");
        Invoking(() => coder.Reconstruct(new double[2, 4])).Should().Throw<ArgumentException>().Where(e => e.ParamName == "codes");
        var badCodes = new double[4, 5];
        badCodes[3, 4] = double.PositiveInfinity;
        Invoking(() => coder.Objectives(new double[4, 3], badCodes)).Should().Throw<ArgumentException>().Where(e => e.ParamName == "codes" && e.Message.Contains("row 3, column 4"));

        Invoking(() => new SparseCoder(dictionary, new SparseCoderOptions { Alpha = -0.1 })).Should().Throw<ArgumentOutOfRangeException>()
            .Where(e => e.ParamName == "options" && e.Message.Contains("Alpha"));
        Invoking(() => new SparseCoder(dictionary, new SparseCoderOptions { Alpha = double.NaN })).Should().Throw<ArgumentOutOfRangeException>();
        Invoking(() => new SparseCoder(dictionary, new SparseCoderOptions { Nonzeros = 0 })).Should().Throw<ArgumentOutOfRangeException>().Where(e => e.Message.Contains("Nonzeros"));
        Invoking(() => new SparseCoder(dictionary, new SparseCoderOptions { MaxIterations = 0 })).Should().Throw<ArgumentOutOfRangeException>();
        Invoking(() => new SparseCoder(dictionary, new SparseCoderOptions { Algorithm = SparseCodingAlgorithm.OrthogonalMatchingPursuit, Positive = true }))
            .Should().Throw<ArgumentException>().Where(e => e.ParamName == "options");

        var zeroAtom = (double[,])dictionary.Clone();
        for (int j = 0; j < 3; j++)
        {
            zeroAtom[3, j] = 0;
        }

        Invoking(() => new SparseCoder(zeroAtom)).Should().Throw<ArgumentException>().Where(e => e.ParamName == "dictionary" && e.Message.Contains("Atom 3 (row 3)"));
        var nanAtom = (double[,])dictionary.Clone();
        nanAtom[1, 2] = double.NaN;
        Invoking(() => new SparseCoder(nanAtom)).Should().Throw<ArgumentException>().Where(e => e.ParamName == "dictionary" && e.Message.Contains("row 1, column 2"));
        Invoking(() => new SparseCoder(new double[0, 3])).Should().Throw<ArgumentException>().Where(e => e.ParamName == "dictionary");
        Invoking(() => new SparseCoder((double[,])null!)).Should().Throw<ArgumentNullException>();

        dictionary.Should().BeEquivalentTo(dictionaryCopy, o => o.WithStrictOrdering());
        double[,] x = Signals(dictionary, 6, 2, 0.1, seed: 52);
        double[,] xCopy = (double[,])x.Clone();
        double[,] start = new double[6, 5];
        start[0, 0] = 0.5;
        coder.Transform(x, start);
        x.Should().BeEquivalentTo(xCopy, o => o.WithStrictOrdering());
        start[0, 0].Should().Be(0.5);
        start.Cast<double>().Count(v => v != 0).Should().Be(1);
    }

    [Fact]
    public void The_coder_copies_its_dictionary()
    {
        double[,] dictionary = Dictionary(4, 3, seed: 61);
        var coder = new SparseCoder(dictionary);
        double[,] before = coder.Dictionary;
        dictionary[0, 0] = 42;
        coder.Dictionary.Should().BeEquivalentTo(before, o => o.WithStrictOrdering());
        coder.Atoms.Should().Be(4);
        coder.Dimension.Should().Be(3);
    }

    private static Action Invoking(Action action) => action;

    /// <summary>A random d × d matrix with orthonormal rows (Gram–Schmidt).</summary>
    internal static double[,] Orthonormal(int d, int seed)
    {
        double[,] q = Dictionary(d, d, seed);
        for (int a = 0; a < d; a++)
        {
            for (int b = 0; b < a; b++)
            {
                double dot = Enumerable.Range(0, d).Sum(j => q[a, j] * q[b, j]);
                for (int j = 0; j < d; j++)
                {
                    q[a, j] -= dot * q[b, j];
                }
            }

            double norm = Math.Sqrt(Enumerable.Range(0, d).Sum(j => q[a, j] * q[a, j]));
            for (int j = 0; j < d; j++)
            {
                q[a, j] /= norm;
            }
        }

        return q;
    }

    /// <summary>The least ½‖x − zD‖² over all supports of at most <paramref name="budget"/> atoms (exhaustive).</summary>
    private static double BestSubset(double[,] dictionary, double[] x, int budget)
    {
        int k = dictionary.GetLength(0);
        double best = Objective(dictionary, x, new double[k], 0);
        for (int mask = 1; mask < 1 << k; mask++)
        {
            int[] support = Enumerable.Range(0, k).Where(a => (mask >> a & 1) != 0).ToArray();
            if (support.Length > budget || LeastSquares(dictionary, x, support) is not double[] ls)
            {
                continue;
            }

            var z = new double[k];
            for (int t = 0; t < support.Length; t++)
            {
                z[support[t]] = ls[t];
            }

            best = Math.Min(best, Objective(dictionary, x, z, 0));
        }

        return best;
    }
}
