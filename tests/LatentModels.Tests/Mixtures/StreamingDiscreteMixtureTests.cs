using FluentAssertions;
using LatentModels.Distributions;
using LatentModels.Mixtures;
using Xunit;
using static LatentModels.Tests.Mixtures.DiscreteMixtureTestData;

namespace LatentModels.Tests.Mixtures;

/// <summary>Streaming (Cappé–Moulines) EM for the Bernoulli and categorical mixtures.</summary>
public class StreamingDiscreteMixtureTests
{
    private static MixtureOptions Three => new() { Components = 3, PseudoCount = 0.01, Seed = 5 };

    [Fact]
    public void One_batch_of_all_rows_with_unit_steps_is_one_batch_EM_iteration()
    {
        double[,] x = ThreePrototypes().Sample(400, new Random(11));
        MixtureModel<IndependentBernoulli> start = new BernoulliMixture(Three with { MaxIterations = 0 }).Fit(x).Model;
        var streaming = new StreamingBernoulliMixture(new StreamingDiscreteMixtureOptions { Mixture = Three, StepExponent = 1, InitializationSize = 3 }, start);
        streaming.Update(x);
        MixtureModel<IndependentBernoulli> online = streaming.Snapshot();
        MixtureModel<IndependentBernoulli> batch = new BernoulliMixture(Three with { MaxIterations = 1, Tolerance = 0 }).FitFrom(start, x).Model;
        for (int c = 0; c < 3; c++)
        {
            online.Weights[c].Should().BeApproximately(batch.Weights[c], 1e-12);
            for (int j = 0; j < 20; j++)
            {
                online.Distributions[c].Probabilities[j].Should().BeApproximately(batch.Distributions[c].Probabilities[j], 1e-12);
            }
        }

        streaming.Count.Should().Be(400);
    }

    [Fact]
    public void One_pass_with_one_over_t_steps_approaches_batch_EM()
    {
        double[,] x = ThreePrototypes().Sample(3000, new Random(12));
        double batchScore = new BernoulliMixture(Three).Fit(x).Model.Score(x);
        var streaming = new StreamingBernoulliMixture(new StreamingDiscreteMixtureOptions { Mixture = Three, StepExponent = 1, StepOffset = 0 });
        streaming.UpdateAll(x, 50);
        double onlineScore = streaming.Snapshot().Score(x);
        onlineScore.Should().BeApproximately(batchScore, 0.02 * Math.Abs(batchScore));
        onlineScore.Should().BeLessThanOrEqualTo(batchScore + 1e-9);
    }

    [Fact]
    public void Same_bits_for_any_thread_count_and_categorical_runs_too()
    {
        double[,] x = TwoCategoricalProfiles().Sample(600, new Random(13));
        int[] counts = TwoCategoricalProfiles().Distributions[0].CategoryCounts.ToArray();
        MixtureModel<IndependentCategorical> Run(int dop)
        {
            var s = new StreamingCategoricalMixture(counts, new StreamingDiscreteMixtureOptions { Mixture = new MixtureOptions { Components = 2, Seed = 3, MaxDegreeOfParallelism = dop } });
            s.UpdateAll(x, 37);
            for (int i = 0; i < 5; i++)
            {
                s.Update(Enumerable.Range(0, counts.Length).Select(j => x[i, j]).ToArray());
            }

            return s.Snapshot();
        }

        MixtureModel<IndependentCategorical> one = Run(1), four = Run(4);
        one.Weights.Should().Equal(four.Weights);
        for (int c = 0; c < 2; c++)
        {
            for (int j = 0; j < counts.Length; j++)
            {
                one.Distributions[c].GetProbabilities(j).Should().Equal(four.Distributions[c].GetProbabilities(j));
            }
        }

        double truth = TwoCategoricalProfiles().Score(x);
        one.Score(x).Should().BeGreaterThan(truth - 0.05 * Math.Abs(truth));
    }

    [Fact]
    public void Bad_input_leaves_the_estimator_unchanged()
    {
        double[,] x = ThreePrototypes().Sample(200, new Random(14));
        var s = new StreamingBernoulliMixture(new StreamingDiscreteMixtureOptions { Mixture = Three });
        s.UpdateAll(x, 40);
        MixtureModel<IndependentBernoulli> before = s.Snapshot();
        double[] point = Enumerable.Range(0, 20).Select(j => x[0, j]).ToArray();
        point[7] = 0.5;
        FluentActions.Invoking(() => s.Update(point)).Should().Throw<ArgumentException>().WithParameterName("point");
        double[,] bad = (double[,])x.Clone();
        bad[3, 2] = double.NaN;
        FluentActions.Invoking(() => s.Update(bad)).Should().Throw<ArgumentException>().WithParameterName("batch");
        FluentActions.Invoking(() => s.Update(new double[2, 19])).Should().Throw<ArgumentException>();
        s.Count.Should().Be(200);
        s.Snapshot().Should().BeSameAs(before);

        var fresh = new StreamingBernoulliMixture(new StreamingDiscreteMixtureOptions { Mixture = Three });
        FluentActions.Invoking(() => fresh.Update(point)).Should().Throw<ArgumentException>();
        fresh.Count.Should().Be(0);
        fresh.IsInitialized.Should().BeFalse();
        fresh.Update(new double[1, 5]);
        fresh.Count.Should().Be(1, "a rejected first point does not fix the dimension");
    }
}
