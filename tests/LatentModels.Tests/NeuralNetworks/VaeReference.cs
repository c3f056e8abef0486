using LatentModels.LinearAlgebra;
using LatentModels.NeuralNetworks;

namespace LatentModels.Tests.NeuralNetworks;

/// <summary>
/// A naive double-precision VAE loss written from the equations (loops, Math.Exp/Log), independent of the library's
/// float kernels: the reference the gradient checks differentiate numerically.
/// </summary>
internal static class VaeReference
{
    public static double Activate(double x, Activation f) => f switch
    {
        Activation.Relu => Math.Max(x, 0),
        Activation.Tanh => Math.Tanh(x),
        Activation.Sigmoid => 1 / (1 + Math.Exp(-x)),
        _ => x,
    };

    /// <summary>y = f(x·W + b) for rows × layer.Inputs.</summary>
    public static double[] Dense(DenseLayer layer, double[] p, double[] x, int rows)
    {
        var y = new double[rows * layer.Outputs];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < layer.Outputs; j++)
            {
                double s = p[layer.BiasOffset + j];
                for (int q = 0; q < layer.Inputs; q++)
                {
                    s += x[(i * layer.Inputs) + q] * p[layer.Offset + (q * layer.Outputs) + j];
                }

                y[(i * layer.Outputs) + j] = Activate(s, layer.Activation);
            }
        }

        return y;
    }

    private static double Softplus(double x) => x > 0 ? x + Math.Log(1 + Math.Exp(-x)) : Math.Log(1 + Math.Exp(x));

    /// <summary>Mean over rows of −ELBO with the given noise ε (rows × Z).</summary>
    public static double Loss(VaeArchitecture a, double[] p, double[] x, double[] eps, int rows) =>
        RowLosses(a, p, x, eps, rows).Average();

    /// <summary>−log p(x | z) + KL per row with the given noise.</summary>
    public static double[] RowLosses(VaeArchitecture a, double[] p, double[] x, double[] eps, int rows)
    {
        int d = a.InputDimension, z = a.LatentDimension;
        double[] h = x;
        foreach (DenseLayer layer in a.Encoder)
        {
            h = Dense(layer, p, h, rows);
        }

        double[] s = Dense(a.Head, p, h, rows);
        var latent = new double[rows * z];
        var losses = new double[rows];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < z; j++)
            {
                double mu = s[(i * 2 * z) + j], lv = s[(i * 2 * z) + z + j];
                double sigma = Math.Exp(0.5 * lv);
                latent[(i * z) + j] = mu + (sigma * eps[(i * z) + j]);
                losses[i] += 0.5 * ((mu * mu) + (sigma * sigma) - 1 - lv);
            }
        }

        double[] g = latent;
        foreach (DenseLayer layer in a.Decoder)
        {
            g = Dense(layer, p, g, rows);
        }

        double[] output = Dense(a.Output, p, g, rows);
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < d; j++)
            {
                double o = output[(i * d) + j], xv = x[(i * d) + j];
                if (a.Likelihood == DecoderLikelihood.Bernoulli)
                {
                    losses[i] += Softplus(o) - (xv * o);
                }
                else
                {
                    double lv = a.LearnVariance ? Math.Max(p[a.VarianceOffset + j], Math.Log(a.MinimumVariance)) : Math.Log(a.Variance);
                    losses[i] += 0.5 * (Math.Log(2 * Math.PI) + lv + ((xv - o) * (xv - o) * Math.Exp(-lv)));
                }
            }
        }

        return losses;
    }
}
