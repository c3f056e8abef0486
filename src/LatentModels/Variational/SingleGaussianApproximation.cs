using LatentModels.Distributions;

namespace LatentModels.Variational;

/// <summary>
/// The mean-field toolkit's second worked example (Bishop, PRML §10.1.2, Fig. 10.3): a multimodal density p, here a
/// one-dimensional Gaussian mixture, approximated by a single Gaussian q = 𝒩(m, s²) under either direction of the
/// Kullback–Leibler divergence.
/// </summary>
/// <remarks>
/// <para>
/// <b>KL(q‖p) is mode-seeking</b> (<see cref="MinimizeReverseKl"/>): q is penalised wherever it puts mass that p does
/// not have, so a single Gaussian settles on one mode, and which one depends on where the optimisation starts.
/// <b>KL(p‖q) is mass-covering</b> (<see cref="MatchMoments"/>): q must cover every region where p has mass; the
/// minimiser over Gaussians matches p's mean and variance, a broad q that puts its peak between the modes.
/// </para>
/// <para>
/// <b>Quadrature.</b> Expectations under a Gaussian 𝒩(c, σ²) are computed as E[f(c + σt)], t ~ 𝒩(0, 1), by the
/// trapezoidal rule on t ∈ [−12, 12] with step 1/n in t, n = max(16, ⌈σ/δ⌉), so that the step in x is at most
/// δ = min(σ_min/16, σ_min²/(2Δ)), where σ_min is the narrowest component's standard deviation and Δ the largest
/// distance between component means. For integrands analytic in a strip of half-width a around the real axis and
/// decaying like a Gaussian, the trapezoidal rule's error falls like exp(−2πa/step) (Trefethen &amp; Weideman, SIAM Review
/// 56, 2014); ln p is analytic except near the complex zeros of p between the modes, at a distance of about πσ_min²/Δ
/// from the real axis, so this step makes the error of order e^{−4π²} ≈ 10⁻¹⁷, and the cut at ±12 loses less than
/// 10⁻³⁰ of the mass. The cost grows with the width of q relative to δ (capped at 65,536 steps per unit of t). The rule
/// is deterministic: the same inputs give the same bits.
/// </para>
/// <para>
/// <b>Optimisation.</b> KL(q‖p) = −ln s − ½ ln(2πe) − E_q[ln p] is minimised over (m, ln s) by Newton's method with the
/// exact gradient and Hessian of the quadrature (through the reparameterisation x = m + s·t, using the first and second
/// derivatives of ln p), falling back to steepest descent where the Hessian is not positive definite, with a
/// backtracking (Armijo) line search; a step is accepted only if it strictly lowers the divergence, and the search
/// stops (not converged) when no step does.
/// </para>
/// </remarks>
public static class SingleGaussianApproximation
{
    private const double HalfLogTwoPiE = 1.4189385332046727417803297364056;
    private const double Reach = 12;

    /// <summary>
    /// Minimises KL(q‖p) over Gaussians q = 𝒩(m, s²), starting from 𝒩(<paramref name="initialMean"/>,
    /// <paramref name="initialStandardDeviation"/>²); the fit locks onto the mode the start leads to.
    /// </summary>
    /// <param name="target">The mixture p.</param>
    /// <param name="initialMean">The starting mean (finite).</param>
    /// <param name="initialStandardDeviation">The starting standard deviation (finite, positive).</param>
    /// <param name="maxIterations">The most Newton steps (≥ 0).</param>
    /// <param name="tolerance">Stop when |∂KL/∂m|·s and |∂KL/∂ln s| are both within this (finite, positive). The search
    /// also stops, converged, when the Newton step would lower KL by less than 10⁻¹⁵ of its value: function values cannot
    /// resolve more, and the parameters are then within about 10⁻⁷ (relative) of the minimiser.</param>
    /// <returns>The fitted Gaussian, the KL(q‖p) trace and convergence.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A start value or option is out of range.</exception>
    public static SingleGaussianFit MinimizeReverseKl(UnivariateGaussianMixture target, double initialMean, double initialStandardDeviation,
        int maxIterations = 500, double tolerance = 1e-9)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!double.IsFinite(initialMean))
        {
            throw new ArgumentOutOfRangeException(nameof(initialMean), initialMean, "The initial mean must be finite.");
        }

        if (!(initialStandardDeviation > 0) || !double.IsFinite(initialStandardDeviation))
        {
            throw new ArgumentOutOfRangeException(nameof(initialStandardDeviation), initialStandardDeviation,
                "The initial standard deviation must be finite and positive.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(maxIterations);
        if (!(tolerance > 0) || !double.IsFinite(tolerance))
        {
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "The tolerance must be finite and positive.");
        }

        double m = initialMean, u = Math.Log(initialStandardDeviation);
        Evaluation current = Evaluate(target, m, u);
        var trace = new List<double> { current.Kl };
        int iterations = 0;
        bool converged = false;
        while (true)
        {
            double s = Math.Exp(u);
            if (Math.Abs(current.Gm) * s <= tolerance && Math.Abs(current.Gu) <= tolerance)
            {
                converged = true;
                break;
            }

            if (iterations >= maxIterations)
            {
                break;
            }

            // Newton direction where the Hessian is positive definite, steepest descent otherwise.
            double det = (current.Hmm * current.Huu) - (current.Hmu * current.Hmu);
            double dm, du;
            bool newton = current.Hmm > 0 && det > 0;
            if (newton)
            {
                dm = -((current.Huu * current.Gm) - (current.Hmu * current.Gu)) / det;
                du = -((current.Hmm * current.Gu) - (current.Hmu * current.Gm)) / det;
            }
            else
            {
                dm = -current.Gm * s * s;
                du = -current.Gu;
            }

            // Keep a step within a few widths of q and a factor e² in s; then backtrack (Armijo).
            double limit = Math.Max(Math.Abs(dm) / (4 * s), Math.Abs(du) / 2);
            if (limit > 1)
            {
                dm /= limit;
                du /= limit;
            }

            double slope = (current.Gm * dm) + (current.Gu * du);
            if (newton && limit <= 1 && -0.5 * slope <= 1e-15 * Math.Max(1, Math.Abs(current.Kl)))
            {
                converged = true; // the Newton step would lower KL by less than its rounding: a minimum at working precision
                break;
            }

            if (!(slope < 0))
            {
                break; // no descent direction left at working precision
            }

            double alpha = 1;
            Evaluation? accepted = null;
            double mNew = m, uNew = u;
            for (int halving = 0; halving < 60; halving++, alpha *= 0.5)
            {
                mNew = m + (alpha * dm);
                uNew = u + (alpha * du);
                Evaluation trial = Evaluate(target, mNew, uNew);
                if (trial.Kl < current.Kl && trial.Kl <= current.Kl + (1e-4 * alpha * slope))
                {
                    accepted = trial;
                    break;
                }
            }

            if (accepted is null)
            {
                break; // the divergence cannot be lowered further at working precision
            }

            m = mNew;
            u = uNew;
            current = accepted.Value;
            trace.Add(current.Kl);
            iterations++;
        }

        return new SingleGaussianFit(new UnivariateGaussian(m, Math.Exp(u)), [.. trace], iterations, converged);
    }

    /// <summary>
    /// Minimises KL(p‖q) over Gaussians q: the minimiser matches p's moments, q = 𝒩(Σₖ wₖμₖ, Σₖ wₖ(vₖ + (μₖ − mean)²))
    /// (closed form).
    /// </summary>
    /// <param name="target">The mixture p.</param>
    /// <returns>The moment-matched Gaussian.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="target"/> is null.</exception>
    public static UnivariateGaussian MatchMoments(UnivariateGaussianMixture target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new UnivariateGaussian(target.Mean, Math.Sqrt(target.Variance));
    }

    /// <summary>KL(q‖p) = E_q[ln q − ln p] in nats, by the quadrature described on the class.</summary>
    /// <param name="target">The mixture p.</param>
    /// <param name="q">The Gaussian q.</param>
    /// <returns>The divergence.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static double ReverseKl(UnivariateGaussianMixture target, UnivariateGaussian q)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(q);
        return Evaluate(target, q.Mean, Math.Log(q.StandardDeviation)).Kl;
    }

    /// <summary>
    /// KL(p‖q) = Σₖ wₖ E_{𝒩(μₖ, vₖ)}[ln p − ln q] in nats, by the quadrature described on the class (one rule per component).
    /// </summary>
    /// <param name="target">The mixture p.</param>
    /// <param name="q">The Gaussian q.</param>
    /// <returns>The divergence.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static double ForwardKl(UnivariateGaussianMixture target, UnivariateGaussian q)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(q);
        double step = MaximumStep(target);
        double kl = 0;
        for (int c = 0; c < target.Components; c++)
        {
            double w = target.Weights[c];
            if (w == 0)
            {
                continue;
            }

            double sigma = Math.Sqrt(target.Variances[c]);
            int n = StepsPerUnit(sigma, step);
            int half = (int)(Reach * n);
            double sum = 0, norm = 0;
            for (int i = -half; i <= half; i++)
            {
                double t = (double)i / n;
                double phi = Math.Exp(-0.5 * t * t);
                double x = target.Means[c] + (sigma * t);
                sum += phi * (target.LogDensity(x) - q.LogDensity(x));
                norm += phi;
            }

            kl += w * sum / norm;
        }

        return kl;
    }

    /// <summary>The largest step in x: min(σ_min/16, σ_min²/(2Δ)) (see the class remarks).</summary>
    private static double MaximumStep(UnivariateGaussianMixture target)
    {
        double v = double.PositiveInfinity, lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        for (int c = 0; c < target.Components; c++)
        {
            if (target.Weights[c] > 0)
            {
                v = Math.Min(v, target.Variances[c]);
                lo = Math.Min(lo, target.Means[c]);
                hi = Math.Max(hi, target.Means[c]);
            }
        }

        double step = Math.Sqrt(v) / 16;
        return hi > lo ? Math.Min(step, v / (2 * (hi - lo))) : step;
    }

    private static int StepsPerUnit(double width, double step) =>
        (int)Math.Min(1 << 16, Math.Max(16, Math.Ceiling(width / step)));

    /// <summary>KL(q‖p) at q = 𝒩(m, e^{2u}) with its gradient and Hessian in (m, u).</summary>
    private static Evaluation Evaluate(UnivariateGaussianMixture target, double m, double u)
    {
        double s = Math.Exp(u);
        int n = StepsPerUnit(s, MaximumStep(target));
        int half = (int)(Reach * n);
        double norm = 0, lp = 0, g = 0, gt = 0, h = 0, ht = 0, htt = 0;
        for (int i = -half; i <= half; i++)
        {
            double t = (double)i / n;
            double phi = Math.Exp(-0.5 * t * t);
            double value = target.LogDensity(m + (s * t), out double first, out double second);
            norm += phi;
            lp += phi * value;
            g += phi * first;
            gt += phi * first * t;
            h += phi * second;
            ht += phi * second * t;
            htt += phi * second * t * t;
        }

        lp /= norm;
        g /= norm;
        gt /= norm;
        h /= norm;
        ht /= norm;
        htt /= norm;

        // KL = −u − ½ ln(2πe) − E[ln p(m + s t)].
        return new Evaluation
        {
            Kl = -u - HalfLogTwoPiE - lp,
            Gm = -g,
            Gu = -1 - (s * gt),
            Hmm = -h,
            Hmu = -s * ht,
            Huu = (-s * gt) - (s * s * htt),
        };
    }

    private struct Evaluation
    {
        public double Kl;
        public double Gm;
        public double Gu;
        public double Hmm;
        public double Hmu;
        public double Huu;
    }
}
