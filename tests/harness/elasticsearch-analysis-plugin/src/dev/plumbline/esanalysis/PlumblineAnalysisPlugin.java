package dev.plumbline.esanalysis;

import java.util.Map;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

/**
 * Test-harness plugin: the three analysis components the {@code .security} system index's {@code email} analyzer
 * names and the integ-test-zip distribution lacks (they live in the analysis-common module, which that distribution
 * leaves out). With them the cluster can create its security index, so the native realm and API keys work.
 *
 * <p>Each component is a thin factory over the Lucene class that does the work, which the distribution already
 * ships ({@code lib/lucene-analysis-common}); only the names and settings the security index uses are supported.
 */
public final class PlumblineAnalysisPlugin extends Plugin implements AnalysisPlugin {
  @Override
  public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
    return Map.of(
        "uax_url_email",
        (indexSettings, environment, name, settings) -> UaxUrlEmailTokenizerFactory.create(name, settings));
  }

  @Override
  public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
    return Map.of(
        "pattern_capture",
        // Has no meaning without its patterns: Elasticsearch must not make one from empty settings.
        AnalysisPlugin.requiresAnalysisSettings(
            (indexSettings, environment, name, settings) -> new PatternCaptureFilterFactory(name, settings)),
        "unique",
        (indexSettings, environment, name, settings) -> new UniqueFilterFactory(name, settings));
  }
}
