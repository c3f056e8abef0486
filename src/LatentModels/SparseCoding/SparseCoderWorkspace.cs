namespace LatentModels.SparseCoding;

/// <summary>Scratch of one block of rows for the sparse coders: nothing is allocated once a workspace is warm.</summary>
internal sealed class SparseCoderWorkspace
{
    private readonly int _blockSize;

    public SparseCoderWorkspace(int blockSize, int atoms, int dimension)
    {
        _blockSize = blockSize;
        Atoms = atoms;
        Correlations = new double[blockSize * atoms];
        SquaredNorms = new double[blockSize];
        Q = new double[atoms];
        Q2 = new double[atoms];
        W = new double[atoms];
        Direction = new double[atoms];
        Sign = new double[atoms];
        Column = new double[atoms];
        Support = new int[atoms];
        State = new int[atoms];
        Active = new int[atoms];
        Factor = new double[atoms * atoms];
        Residual = new double[blockSize * dimension];
    }

    /// <summary>K, the row stride of every K-wide buffer.</summary>
    public int Atoms { get; }

    /// <summary>c = D·x of each row of the block (block × K).</summary>
    public double[] Correlations { get; }

    /// <summary>‖x‖² of each row of the block.</summary>
    public double[] SquaredNorms { get; }

    /// <summary>The residual correlations q = c − G·z of the row being solved.</summary>
    public double[] Q { get; }

    /// <summary>A second correlation vector (the refit's candidate q).</summary>
    public double[] Q2 { get; }

    /// <summary>Codes on the support (refit, LARS direction, OMP least squares).</summary>
    public double[] W { get; }

    /// <summary>G[:, S]·w, the change of the correlations along the LARS direction.</summary>
    public double[] Direction { get; }

    /// <summary>The sign of each support variable.</summary>
    public double[] Sign { get; }

    /// <summary>One column of G restricted to the support (Cholesky appends).</summary>
    public double[] Column { get; }

    /// <summary>The support, in order of entry.</summary>
    public int[] Support { get; }

    /// <summary>Per atom: 0 inactive, 1 active, 2 excluded (LARS, OMP).</summary>
    public int[] State { get; }

    /// <summary>The active list of coordinate descent.</summary>
    public int[] Active { get; }

    /// <summary>The Cholesky factor of G_SS (row stride K).</summary>
    public double[] Factor { get; }

    /// <summary>x − zD of each row of the block (block × d), for objectives.</summary>
    public double[] Residual { get; }

    /// <summary>FISTA's extrapolated point (block × K), allocated on first use.</summary>
    public double[] FistaY => _fistaY ??= new double[_blockSize * Atoms];

    /// <summary>FISTA's iterate (block × K), allocated on first use.</summary>
    public double[] FistaZ => _fistaZ ??= new double[_blockSize * Atoms];

    /// <summary>FISTA's gradient and correlation scratch (block × K), allocated on first use.</summary>
    public double[] FistaGradient => _fistaGradient ??= new double[_blockSize * Atoms];

    /// <summary>Which rows of the block FISTA has finished.</summary>
    public bool[] FistaDone => _fistaDone ??= new bool[_blockSize];

    private double[]? _fistaY;
    private double[]? _fistaZ;
    private double[]? _fistaGradient;
    private bool[]? _fistaDone;
}
