using LatentModels.Mixtures;
using LatentModels.Persistence;

// A known two-component mixture to sample from; with your own data, start from any double[,] (one row per observation).
var truth = GaussianMixtureModel.Create(CovarianceType.Spherical, [0.3, 0.7], new double[,] { { -2, 0 }, { 3, 1 } }, [0.5, 1.0]);
double[,] data = truth.Sample(1_000, new Random(42));

var estimator = new GaussianMixture(new GaussianMixtureOptions { Components = 2, Covariance = CovarianceType.Full, Seed = 1 });
var (model, report) = estimator.Fit(data);
Console.WriteLine($"{report.Iterations} EM iterations, mean log-likelihood {model.Score(data):F4}, BIC {model.Bic(data):F1}");
for (int k = 0; k < model.Components; k++)
{
    Console.WriteLine($"component {k}: weight {model.Weights[k]:F3}, mean ({model.Means[k, 0]:F2}, {model.Means[k, 1]:F2})");
}

int[] labels = model.Predict(data);                      // hard assignments
double[,] responsibilities = model.PredictProbabilities(data);  // soft assignments, rows sum to 1
ModelJson.Save(model, "quickstart-model.json");            // bit-exact JSON round trip
Console.WriteLine($"row 0: component {labels[0]} with probability {responsibilities[0, labels[0]]:F3}");
