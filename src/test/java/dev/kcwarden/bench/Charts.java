package dev.kcwarden.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/** Bar charts of the benchmark's comparisons, one PNG each, drawn with XChart. */
final class Charts {

    /** One series of bars: its name (e.g. "stock") and one value per category. */
    record Series(String name, List<Double> values) {}

    private Charts() {}

    /** Writes {@code file} (PNG, 900x500) with the categories on the x axis and one bar per series in each. */
    static void bars(Path file, String title, String yAxis, List<String> categories, List<Series> series)
            throws IOException {
        CategoryChart chart = new CategoryChartBuilder()
                .width(900)
                .height(500)
                .title(title)
                .xAxisTitle("")
                .yAxisTitle(yAxis)
                .build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        for (Series s : series) {
            // two decimals on the bar labels
            chart.addSeries(
                    s.name(),
                    categories,
                    s.values().stream().map(v -> Math.round(v * 100) / 100.0).toList());
        }
        Files.createDirectories(file.getParent());
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
