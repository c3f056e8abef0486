using LatentModels.Persistence;
using LatentModels.SparseCoding;
using LatentModels.Statistics;
using LatentModels.Tests.SparseCoding;
using static LatentModels.Tests.Persistence.PersistenceAssert;

namespace LatentModels.Tests.Persistence;

public class DictionaryCodecTests
{
    internal static double[,] Rows() => SparseCodingTestData.Signals(SparseCodingTestData.Dictionary(6, 4, seed: 1), 30, 2, 0.05, seed: 2);

    internal static DictionaryModel Model() =>
        new DictionaryLearning(new DictionaryLearningOptions { Atoms = 5, Alpha = 0.05, MaxIterations = 5, Seed = 2 }).Fit(Rows()).Model;

    [Fact]
    public void A_dictionary_model_round_trips_bit_for_bit_and_codes_the_same()
    {
        DictionaryModel model = Model();
        DictionaryModel loaded = RoundTrip(model, "LatentModels.DictionaryModel");
        Bits(loaded.Dictionary).Should().Equal(Bits(model.Dictionary));
        loaded.Alpha.Should().Be(model.Alpha);
        Bits(loaded.Transform(Rows())).Should().Equal(Bits(model.Transform(Rows())));
    }

    [Fact]
    public void Positive_codes_are_kept_and_a_version_1_file_reads_as_unconstrained()
    {
        DictionaryModel model = new DictionaryLearning(new DictionaryLearningOptions { Atoms = 5, Alpha = 0.05, MaxIterations = 5, Seed = 2, PositiveCodes = true }).Fit(Rows()).Model;
        model.PositiveCodes.Should().BeTrue();
        model.Transform(Rows()).Cast<double>().Should().OnlyContain(v => v >= 0);
        DictionaryModel loaded = RoundTrip(model, "LatentModels.DictionaryModel");
        loaded.PositiveCodes.Should().BeTrue();
        Bits(loaded.Transform(Rows())).Should().Equal(Bits(model.Transform(Rows())));
        DictionaryModel old = ModelJson.Deserialize<DictionaryModel>(Tamper(model, r =>
        {
            r["version"] = 1;
            r.Remove("positiveCodes");
        }));
        old.PositiveCodes.Should().BeFalse();
        Bits(old.Dictionary).Should().Equal(Bits(model.Dictionary));
    }

    [Fact]
    public void Dictionary_statistics_round_trip_bit_for_bit()
    {
        DictionaryStatistics s = Model().ComputeStatistics(Rows());
        DictionaryStatistics loaded = RoundTrip(s, "LatentModels.DictionaryStatistics");
        Bits(loaded.A).Should().Equal(Bits(s.A));
        Bits(loaded.B).Should().Equal(Bits(s.B));
        loaded.TotalWeight.Should().Be(30);
        Bits(loaded.SumSquaredNorms).Should().Be(Bits(s.SumSquaredNorms));
        Bits(loaded.SumAbsoluteCodes).Should().Be(Bits(s.SumAbsoluteCodes));
    }

    [Fact]
    public void A_zero_atom_or_an_asymmetric_a_in_a_file_is_rejected()
    {
        DictionaryModel model = Model();
        LoadFails(Tamper(model, r => r["atoms"]![2] = new System.Text.Json.Nodes.JsonArray(0, 0, 0, 0)), "Atom 2");
        DictionaryStatistics s = model.ComputeStatistics(Rows());
        LoadFails(Tamper(s, r => r["a"]![0]![1] = 123.0), "symmetric");
        LoadFails(Tamper(s, r => r["b"]![0] = new System.Text.Json.Nodes.JsonArray(1, 2)), "'b'");
        LoadFails(Tamper(model, r => r["alpha"] = -1), "alpha");
    }
}
