using LatentModels.Distributions;
using LatentModels.Mixtures;

namespace LatentModels.Tests.Mixtures;

/// <summary>
/// Issue 14, class 6: an exception raised inside a parallel block of <see cref="Mixture{TComponent}"/> reaches the caller
/// as itself, the same as on one thread — not wrapped in an <see cref="AggregateException"/>.
/// </summary>
public class ParallelExceptionTests
{
    [Fact]
    public void A_singular_component_throws_the_same_FittingException_at_every_degree()
    {
        // Every row on the line y = 2x: each component's maximum-likelihood covariance is singular.
        var data = new double[60, 2];
        for (int i = 0; i < 60; i++)
        {
            data[i, 0] = i % 2 == 0 ? i : -i;
            data[i, 1] = 2 * data[i, 0];
        }

        string? serialMessage = null;
        foreach (int dop in new[] { 1, 2, 0 })
        {
            var mixture = new Mixture<MultivariateGaussian>(new MaximumLikelihoodFamily<MultivariateGaussian>(),
                new MixtureOptions { Components = 2, PseudoCount = 0, Seed = 1, MaxDegreeOfParallelism = dop });
            Action fit = () => mixture.Fit(data);
            string message = fit.Should().ThrowExactly<FittingException>().Which.Message;
            serialMessage ??= message;
            message.Should().Be(serialMessage, $"degree {dop}");
        }
    }
}
