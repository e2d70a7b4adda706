using System.Collections;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ChatBot.Core.Configuration;

/// <summary>
/// Finds configuration values that cannot be converted to the type of the option they bind to, before the
/// configuration binder throws its own exception (which names the key but not what is valid, and escapes as a
/// crash when options are read while the host is built). Each failure names the full key (e.g.
/// <c>Breaks:Schedules:0:Times:1</c>) and what the key takes.
/// </summary>
public static class ConfigurationCheck
{
    private const int MaxEchoedLength = 40;

    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to <paramref name="section"/>, first checking that every value
    /// in it converts; a value that does not fails the options with an <see cref="OptionsValidationException"/>
    /// naming the key and its type, like the validators' failures (so <c>ValidateOnStart</c> reports it).
    /// </summary>
    public static OptionsBuilder<TOptions> BindCheckedConfiguration<TOptions>(this OptionsBuilder<TOptions> builder, string section)
        where TOptions : class
    {
        builder.Configure<IConfiguration>((_, configuration) =>
        {
            var failures = ConversionFailures(configuration.GetSection(section), typeof(TOptions));
            if (failures.Count > 0)
            {
                throw new OptionsValidationException(builder.Name, typeof(TOptions), failures);
            }
        });
        return builder.BindConfiguration(section);
    }

    /// <summary>
    /// One failure per value under <paramref name="section"/> that the binder could not convert to the type of
    /// the property of <paramref name="type"/> it binds to (recursing into nested objects and lists). Values
    /// of keys the type does not have are ignored, as the binder ignores them.
    /// </summary>
    public static IReadOnlyList<string> ConversionFailures(IConfigurationSection section, Type type)
    {
        var failures = new List<string>();
        CheckObject(section, type, failures);
        return failures;
    }

    /// <summary>A one-line description of what a key of <paramref name="type"/> takes, for error messages.</summary>
    public static string Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum)
        {
            return "one of " + string.Join(", ", Enum.GetNames(type));
        }

        return type switch
        {
            _ when type == typeof(TimeSpan) => "a duration [d.]hh:mm:ss[.fff], e.g. 00:00:20",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(int) || type == typeof(long) || type == typeof(short) => "a whole number",
            _ when type == typeof(double) || type == typeof(decimal) || type == typeof(float) => "a number, e.g. 1.5",
            _ when type == typeof(Uri) => "a URL, e.g. https://example.com/",
            _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => "a date and time, e.g. 2027-01-31T09:30:00Z",
            _ => "a " + type.Name,
        };
    }

    private static void CheckObject(IConfigurationSection section, Type type, List<string> failures)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || (property.SetMethod is not { IsPublic: true } && !IsCollection(property.PropertyType)))
            {
                continue; // the binder only sets public settable properties and fills get-only collections
            }

            var child = section.GetSection(property.Name);
            CheckValue(child, property.PropertyType, failures);
        }
    }

    private static void CheckValue(IConfigurationSection section, Type type, List<string> failures)
    {
        if (IsScalar(type))
        {
            if (section.Value is { } value && !Converts(section, type))
            {
                failures.Add($"{section.Path} must be {Describe(type)} (was '{Echo(value)}').");
            }

            return;
        }

        if (ElementType(type) is { } element)
        {
            foreach (var item in section.GetChildren())
            {
                CheckValue(item, element, failures);
            }

            return;
        }

        if (type.IsClass && section.GetChildren().Any())
        {
            CheckObject(section, type, failures);
        }
    }

    /// <summary>Converts with the binder itself, so what counts as valid is exactly what binding accepts.</summary>
    private static bool Converts(IConfigurationSection section, Type type)
    {
        try
        {
            section.Get(type);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static bool IsScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(TimeSpan) || type == typeof(Uri)
            || type == typeof(decimal) || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(Guid);
    }

    private static bool IsCollection(Type type) => ElementType(type) is not null;

    private static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        if (type == typeof(string) || !typeof(IEnumerable).IsAssignableFrom(type) || !type.IsGenericType)
        {
            return null;
        }

        var arguments = type.GetGenericArguments();
        return arguments.Length == 1 ? arguments[0] : null; // dictionaries are not used by our options
    }

    private static string Echo(string value)
    {
        var printable = new string(value.Select(c => char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format ? '?' : c).ToArray());
        return printable.Length <= MaxEchoedLength ? printable : printable[..MaxEchoedLength] + "…";
    }
}
