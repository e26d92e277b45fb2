package dev.plumbline.esanalysis;

import java.io.IOException;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.FilteringTokenFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.miscellaneous.RemoveDuplicatesTokenFilter;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.analysis.TokenFilterFactory;

/**
 * {@code unique}: drops a token whose term was already seen in the stream. Setting {@code only_on_same_position}
 * (default false) drops only repeats at one position (Lucene's RemoveDuplicatesTokenFilter).
 */
final class UniqueFilterFactory implements TokenFilterFactory {
  private final String name;
  private final boolean onlyOnSamePosition;

  UniqueFilterFactory(String name, Settings settings) {
    this.name = name;
    this.onlyOnSamePosition = settings.getAsBoolean("only_on_same_position", false);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public TokenStream create(TokenStream input) {
    return onlyOnSamePosition ? new RemoveDuplicatesTokenFilter(input) : new UniqueTermsFilter(input);
  }

  /** Keeps the first token of each term (Lucene's FilteringTokenFilter carries a dropped token's position). */
  static final class UniqueTermsFilter extends FilteringTokenFilter {
    private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
    private final CharArraySet seen = new CharArraySet(8, false);

    UniqueTermsFilter(TokenStream input) {
      super(input);
    }

    @Override
    protected boolean accept() {
      if (seen.contains(term.buffer(), 0, term.length())) return false;
      seen.add(term.toString());
      return true;
    }

    @Override
    public void reset() throws IOException {
      super.reset();
      seen.clear();
    }
  }
}
