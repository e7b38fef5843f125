from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    error_messages = {
        # The same words whether the user exists or not: the page must not confirm account names.
        "invalid_login": "用户名或密码不正确，请重新输入。注意区分大小写。",
        "inactive": "用户名或密码不正确，请重新输入。注意区分大小写。",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
