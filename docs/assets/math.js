// Typeset the math that pymdownx.arithmatex wraps in .arithmatex elements, with the
// vendored KaTeX. Material's document$ emits on the first load and after every
// instant-navigation page change, so each new page is typeset once.
document$.subscribe(({ body }) => {
  for (const element of body.querySelectorAll(".arithmatex")) {
    renderMathInElement(element, {
      delimiters: [
        { left: "\\[", right: "\\]", display: true },
        { left: "\\(", right: "\\)", display: false },
      ],
      throwOnError: false,
    })
  }
})
