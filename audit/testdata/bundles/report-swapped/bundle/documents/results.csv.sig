untrusted comment: verify with tinnhiem.pub
RWSVhqOMOsGIvUkIa6VhSBAhtPYs9DH3Fs+WaRN47UDj+Ogm+Um0rXuFQGEYz/s+9dqBhOcAXzZfDdm7VKx+inXUeWO+LivEwwk=
