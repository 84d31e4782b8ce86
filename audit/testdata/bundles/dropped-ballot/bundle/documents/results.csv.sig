untrusted comment: verify with tinnhiem.pub
RWSVhqOMOsGIvaaJ/vzjyboF5Fy928dI7GjocwpvE3mzye0G42HX2Qbd+itKZlw++y+op79yArbMVdiXpGkNv+I7OLSqrfFOXgU=
