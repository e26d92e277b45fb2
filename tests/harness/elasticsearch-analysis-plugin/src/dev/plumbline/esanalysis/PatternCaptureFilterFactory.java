package dev.plumbline.esanalysis;

import java.util.List;
import java.util.regex.Pattern;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.pattern.PatternCaptureGroupTokenFilter;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.analysis.TokenFilterFactory;

/**
 * {@code pattern_capture}: emits every capture group of every pattern as a token at the original's position
 * (Lucene's PatternCaptureGroupTokenFilter). Settings: {@code patterns} (required), {@code preserve_original}
 * (default true).
 */
final class PatternCaptureFilterFactory implements TokenFilterFactory {
  private final String name;
  private final Pattern[] patterns;
  private final boolean preserveOriginal;

  PatternCaptureFilterFactory(String name, Settings settings) {
    this.name = name;
    List<String> sources = settings.getAsList("patterns");
    if (sources.isEmpty())
      throw new IllegalArgumentException("[" + name + "] pattern_capture needs a non-empty [patterns] list");
    this.patterns = sources.stream().map(Pattern::compile).toArray(Pattern[]::new);
    this.preserveOriginal = settings.getAsBoolean("preserve_original", true);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public TokenStream create(TokenStream input) {
    return new PatternCaptureGroupTokenFilter(input, preserveOriginal, patterns);
  }
}
