import PSCCore
import Testing

@Suite struct SafeMarkdownTests {
    @Test func formatting() {
        #expect(
            SafeMarkdown.html("Hello **Gus** and *friends*\nsecond line")
                == "<p>Hello <strong>Gus</strong> and <em>friends</em><br>second line</p>")
        #expect(SafeMarkdown.html("- one\n- two") == "<ul><li>one</li><li>two</li></ul>")
        #expect(SafeMarkdown.html("`a *b*`") == "<p><code>a *b*</code></p>")
        #expect(
            SafeMarkdown.html("[site](https://pittstate.edu/x)")
                == #"<p><a href="https://pittstate.edu/x" rel="nofollow noopener ugc">site</a></p>"#)
    }

    @Test func nothingTypedBecomesMarkup() {
        #expect(SafeMarkdown.html("<script>alert(1)</script>") == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>")
        #expect(!SafeMarkdown.html("[x](javascript:alert(1))").contains("href"))
        #expect(!SafeMarkdown.html(#"[x](https://a.b/"onmouseover="x)"#).contains(#"" onmouseover"#))
        #expect(SafeMarkdown.html("a & b") == "<p>a &amp; b</p>")
    }

    @Test("a bare address in a post becomes a link, without the sentence's full stop, and is not linked twice")
    func bareLinks() {
        #expect(
            SafeMarkdown.html("Apply at https://pittstate.edu/jobs.")
                == #"<p>Apply at <a href="https://pittstate.edu/jobs" rel="nofollow noopener ugc">https://pittstate.edu/jobs</a>.</p>"#)
        #expect(
            SafeMarkdown.html("[the form](https://a.example/f) or https://b.example")
                == #"<p><a href="https://a.example/f" rel="nofollow noopener ugc">the form</a> or "#
                + #"<a href="https://b.example" rel="nofollow noopener ugc">https://b.example</a></p>"#)
        #expect(SafeMarkdown.html("`https://code.example`") == "<p><code>https://code.example</code></p>")
        #expect(!SafeMarkdown.html(#"https://x.example/"><script>"#).contains("<script>"))
    }
}
