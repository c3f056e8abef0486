namespace LatentModels.Orleans.Tests;

/// <summary>One cluster shared by the tests that leave every silo running.</summary>
[CollectionDefinition(Name)]
public sealed class SharedClusterCollection : ICollectionFixture<ThreeSiloCluster>
{
    public const string Name = "three silos";
}
