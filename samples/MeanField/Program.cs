// The mean-field toolkit's two pictures (Bishop, PRML Figs. 10.2 and 10.3): the two directions of the KL divergence
// for a factorised approximation of a correlated Gaussian, and for a single Gaussian fitted to a bimodal mixture.
// Writes meanfield-gaussian.svg and meanfield-bimodal.svg to the working directory, or to the folder given by --out.
using System.Globalization;
using System.Text;
using LatentModels.Distributions;
using LatentModels.Variational;
using MeanField;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string outDir = ".";
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--out" && i + 1 < args.Length)
    {
        outDir = args[++i];
    }
    else
    {
        Console.Error.WriteLine("usage: MeanField [--out FOLDER]");
        return 2;
    }
}

Directory.CreateDirectory(outDir);

// (a) p(z) = 𝒩(μ, Σ) with correlation 0.9, given by its precision Λ = Σ⁻¹ (the 2 × 2 inverse written out).
double[] mu = [0.0, 0.0];
const double Rho = 0.9;
double[,] sigma = { { 1, Rho }, { Rho, 1 } };
double det = 1 - (Rho * Rho);
double[,] lambda = { { 1 / det, -Rho / det }, { -Rho / det, 1 / det } };
double[] start = [-1.6, 0.6];
MeanFieldGaussianFit reverse = MeanFieldGaussian.MinimizeReverseKl(mu, lambda, start);
FactorizedGaussian forward = MeanFieldGaussian.MatchMoments(mu, lambda);
Console.WriteLine($"Correlated Gaussian, ρ = {Rho}: marginal variances 1, conditional variances {1 / lambda[0, 0]:F3}");
Console.WriteLine($"  KL(q‖p) by coordinate ascent from ({start[0]}, {start[1]}): {reverse.Iterations} sweeps, converged {reverse.Converged}, " +
                  $"means ({reverse.Approximation.Means[0]:E2}, {reverse.Approximation.Means[1]:E2}), " +
                  $"variances ({reverse.Approximation.Variances[0]:F3}, {reverse.Approximation.Variances[1]:F3}), " +
                  $"KL {reverse.KlTrace[0]:F4} → {reverse.Kl:F4}");
Console.WriteLine($"  KL(p‖q) by moment matching: variances ({forward.Variances[0]:F3}, {forward.Variances[1]:F3}), " +
                  $"KL(p‖q) {MeanFieldGaussian.ForwardKl(mu, lambda, forward):F4} (KL(q‖p) of it {MeanFieldGaussian.ReverseKl(mu, lambda, forward):F4})");

const string Green = "#2ca02c", Red = "#d62728", Blue = "#1f77b4", Gray = "#777777";
var body = new StringBuilder();
var left = new SvgPanel(body, 70, 50, 340, 340, -2.6, 2.6, -2.6, 2.6);
var right = new SvgPanel(body, 490, 50, 340, 340, -2.6, 2.6, -2.6, 2.6);
left.Axes(1, 1, "z₁", "z₂", "(a) minimising KL(q‖p)");
right.Axes(1, 1, "z₁", "z₂", "(b) minimising KL(p‖q)");
foreach (SvgPanel panel in new[] { left, right })
{
    panel.Ellipse(mu[0], mu[1], sigma[0, 0], sigma[0, 1], sigma[1, 1], 1, Green);
    panel.Ellipse(mu[0], mu[1], sigma[0, 0], sigma[0, 1], sigma[1, 1], 2, Green, 1.2, "5,3");
    panel.Legend(0, Green, "p(z), 1σ and 2σ");
}

FactorizedGaussian r = reverse.Approximation;
left.Ellipse(r.Means[0], r.Means[1], r.Variances[0], 0, r.Variances[1], 1, Red);
left.Ellipse(r.Means[0], r.Means[1], r.Variances[0], 0, r.Variances[1], 2, Red, 1.2, "5,3");
left.Legend(1, Red, "q(z₁)q(z₂): variances 1/Λᵢᵢ");

// The means after each sweep of coordinate ascent (each sweep updates z₁, then z₂).
var path = Enumerable.Range(0, Math.Min(reverse.Iterations, 25) + 1)
    .Select(t => MeanFieldGaussian.MinimizeReverseKl(mu, lambda, start, maxIterations: t).Approximation)
    .Select(q => (q.Means[0], q.Means[1])).ToList();
left.Curve(path, Gray, 1);
foreach ((double x, double y) in path)
{
    left.Dot(x, y, Gray, 2.5);
}

left.Legend(2, Gray, "means after each sweep");
right.Ellipse(forward.Means[0], forward.Means[1], forward.Variances[0], 0, forward.Variances[1], 1, Red);
right.Ellipse(forward.Means[0], forward.Means[1], forward.Variances[0], 0, forward.Variances[1], 2, Red, 1.2, "5,3");
right.Legend(1, Red, "q(z₁)q(z₂): variances Σᵢᵢ");
string gaussianPath = Path.Combine(outDir, "meanfield-gaussian.svg");
File.WriteAllText(gaussianPath, SvgPanel.Document(880, 450, body));

// (b) A bimodal p: one Gaussian under KL(q‖p) from two starts (it locks onto the mode the start leads to) and under
// KL(p‖q) (it matches p's mean and variance and covers both modes).
var target = new UnivariateGaussianMixture([0.45, 0.55], [-3.0, 3.0], [0.5, 0.8]);
SingleGaussianFit leftMode = SingleGaussianApproximation.MinimizeReverseKl(target, -2.0, 0.5);
SingleGaussianFit rightMode = SingleGaussianApproximation.MinimizeReverseKl(target, 2.0, 0.5);
UnivariateGaussian moments = SingleGaussianApproximation.MatchMoments(target);
Console.WriteLine($"\nBimodal p = 0.45·𝒩(−3, 0.5) + 0.55·𝒩(3, 0.8):");
foreach ((string name, SingleGaussianFit fit) in new[] { ("from 𝒩(−2, 0.5²)", leftMode), ("from 𝒩(2, 0.5²)", rightMode) })
{
    Console.WriteLine($"  KL(q‖p) {name}: 𝒩({fit.Approximation.Mean:F4}, {fit.Approximation.Variance:F4}), KL(q‖p) {fit.Kl:F4}, " +
                      $"{fit.Iterations} Newton steps, converged {fit.Converged}");
}

Console.WriteLine($"  KL(p‖q), moments: 𝒩({moments.Mean:F4}, {moments.Variance:F4}), KL(p‖q) {SingleGaussianApproximation.ForwardKl(target, moments):F4}, " +
                  $"its KL(q‖p) {SingleGaussianApproximation.ReverseKl(target, moments):F4}");

double[] grid = [.. Enumerable.Range(0, 601).Select(i => -7 + (14.0 * i / 600))];
double top = grid.Max(x => Math.Max(target.Density(x), leftMode.Approximation.Density(x))) * 1.1;
var bimodal = new StringBuilder();
var panel1 = new SvgPanel(bimodal, 70, 50, 640, 340, -7, 7, 0, top);
panel1.Axes(1, 0.1, "x", "density", "A bimodal p and single Gaussians q");
panel1.Curve(grid.Select(x => (x, target.Density(x))), "#222222", 2.5);
panel1.Curve(grid.Select(x => (x, leftMode.Approximation.Density(x))), Red, 2);
panel1.Curve(grid.Select(x => (x, rightMode.Approximation.Density(x))), Red, 2, "6,4");
panel1.Curve(grid.Select(x => (x, moments.Density(x))), Blue, 2);
panel1.Legend(0, "#222222", "p(x)");
panel1.Legend(1, Red, "KL(q‖p) from 𝒩(−2, 0.5²): mode-seeking");
panel1.Legend(2, Red, "KL(q‖p) from 𝒩(2, 0.5²)", "6,4");
panel1.Legend(3, Blue, "KL(p‖q): moment matching");
string bimodalPath = Path.Combine(outDir, "meanfield-bimodal.svg");
File.WriteAllText(bimodalPath, SvgPanel.Document(760, 450, bimodal));
Console.WriteLine($"\nWrote {gaussianPath} and {bimodalPath}");
return 0;
