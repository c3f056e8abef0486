namespace LatentModels.Tests;

public class DataValidationTests
{
    [Fact]
    public void CheckMatrix_names_row_and_column_of_a_nan()
    {
        var data = new double[,] { { 1, 2 }, { 3, double.NaN } };
        var act = () => DataValidation.CheckMatrix(data, "data");
        act.Should().Throw<ArgumentException>().WithMessage("*row 1, column 1*").And.ParamName.Should().Be("data");
    }

    [Fact]
    public void ToRectangular_rejects_ragged_rows()
    {
        var act = () => DataValidation.ToRectangular([[1.0, 2.0], [3.0]], "rows");
        act.Should().Throw<ArgumentException>().WithMessage("Row 1 has 1 values*");
    }

    [Fact]
    public void Weights_must_be_finite_non_negative_and_not_all_zero()
    {
        var negative = () => DataValidation.CheckWeights([1.0, -1.0], 2, "w");
        negative.Should().Throw<ArgumentException>().WithMessage("*row 1*");
        var zero = () => DataValidation.CheckWeights([0.0, 0.0], 2, "w");
        zero.Should().Throw<ArgumentException>();
        DataValidation.CheckWeights([0.5, 1.5], 2, "w").Should().Be(2.0);
    }
}
