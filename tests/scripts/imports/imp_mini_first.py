# Helper module: the .py twin of imp_mini_first.mini, which mini loads instead.
which = "py"
