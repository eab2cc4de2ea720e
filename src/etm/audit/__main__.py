from etm.audit import markdown

print(markdown(), end="")
