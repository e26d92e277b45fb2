package dev.plumbline.esanalysis;

import org.apache.lucene.analysis.email.UAX29URLEmailTokenizer;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.analysis.TokenizerFactory;

/** {@code uax_url_email}: Lucene's UAX#29 tokenizer that keeps URLs and e-mail addresses whole. */
final class UaxUrlEmailTokenizerFactory {
  /** Lucene's default for the UAX#29 tokenizers. */
  private static final int DEFAULT_MAX_TOKEN_LENGTH = 255;

  private UaxUrlEmailTokenizerFactory() {}

  /** Setting {@code max_token_length} (default 255, Lucene's default). */
  static TokenizerFactory create(String name, Settings settings) {
    int maxTokenLength = settings.getAsInt("max_token_length", DEFAULT_MAX_TOKEN_LENGTH);
    if (maxTokenLength < 1)
      throw new IllegalArgumentException("[" + name + "] max_token_length must be at least 1, got " + maxTokenLength);
    return TokenizerFactory.newFactory(
        name,
        () -> {
          UAX29URLEmailTokenizer tokenizer = new UAX29URLEmailTokenizer();
          tokenizer.setMaxTokenLength(maxTokenLength);
          return tokenizer;
        });
  }
}
